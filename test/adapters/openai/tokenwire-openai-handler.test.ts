import { createServer, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { afterAll, beforeAll, describe, expect, it, vi } from "vitest";
import OpenAI from "openai";
import express from "express";
import Fastify from "fastify";
import { ChatOpenAI } from "@langchain/openai";
import { createClient } from "@connectrpc/connect";
import { createConnectTransport } from "@connectrpc/connect-node";
import { TokenService } from "../../../gen/tokenwire/v1/token_service_pb.js";
import { createModelCatalog, openAIModelFactory, type Tokenwire } from "../../../src/index.ts";
import { tokenwireOpenAIFetchHandler, tokenwireOpenAIHandler } from "../../../src/adapters/openai/index.ts";
import { createTokenwireServer, type TokenwireServer } from "../../../src/server/index.ts";
import { answerTokens, defaultTokens, reasoningTokens, startFakeOpenAI, type FakeOpenAI } from "../../fixtures/fake-openai.ts";
import { weatherIn } from "../../support/agents.ts";
import { dialectResolver, dialectTokenwire, saidBeforeFailing } from "../dialect/dialect-models.ts";
import { readAll } from "../../support/read-stream.ts";
import { deltaTextOf } from "../../support/stream-text.ts";

let upstream: FakeOpenAI;
let tokenwire: Tokenwire;
const servers: Server[] = [];

beforeAll(async () => {
  upstream = await startFakeOpenAI();
  tokenwire = dialectTokenwire(upstream);
});
afterAll(async () => {
  for (const server of servers) server.closeAllConnections();
  await Promise.all(servers.map((server) => new Promise((resolve) => server.close(resolve))));
  await upstream?.close();
});

async function listen(server: Server): Promise<string> {
  servers.push(server);
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  return `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
}

const app = (_req: unknown, res: { end(text: string): void }) => res.end("your app\n");
const client = (baseURL: string, fetch?: typeof globalThis.fetch) => new OpenAI({ apiKey: "sk-any", baseURL, maxRetries: 0, fetch });
const question = [{ role: "user" as const, content: "What is the weather in Paris?" }];

async function streamedText(openai: OpenAI, model = "echo"): Promise<string> {
  let text = "";
  for await (const chunk of await openai.chat.completions.create({ model, messages: [{ role: "user", content: "over the wire" }], stream: true })) {
    text += chunk.choices[0]?.delta.content ?? "";
  }
  return text;
}

describe("tokenwireOpenAIHandler() on node:http, serving an agent, a reasoning model and a failing runnable", () => {
  let baseURL = "";
  beforeAll(async () => {
    baseURL = `${await listen(createServer(tokenwireOpenAIHandler(tokenwire, { fallback: app })))}/v1`;
  });

  it("should stream an agent's tool call as delta.tool_calls, which the client's own stream helper assembles, then its answer", async () => {
    const final = await client(baseURL).chat.completions.stream({ model: "agent", messages: question }).finalChatCompletion();
    const [call] = final.choices[0]!.message.tool_calls!;
    expect(call).toMatchObject({ id: expect.stringMatching(/^call_/), type: "function", function: { name: "get_weather", arguments: '{"city":"Paris"}' } });
    expect(final.choices[0]!.message.content).toBe(`The tool says: ${weatherIn("Paris")}`);
    expect(final.choices[0]!.finish_reason).toBe("stop");
  });

  it("should answer an agent that does not stream with its tool calls and text in one message", async () => {
    const completion = await client(baseURL).chat.completions.create({ model: "agent", messages: question });
    expect(completion.choices[0]!.message).toMatchObject({
      content: `The tool says: ${weatherIn("Paris")}`,
      tool_calls: [{ type: "function", function: { name: "get_weather", arguments: '{"city":"Paris"}' } }],
    });
  });

  it("should stream reasoning as delta.reasoning_content before the answer's content", async () => {
    const chunks = [];
    for await (const chunk of await client(baseURL).chat.completions.create({ model: "reasoning", messages: question, stream: true })) chunks.push(chunk);
    const deltas = chunks.map((chunk) => chunk.choices[0]?.delta as { content?: string; reasoning_content?: string } | undefined);
    expect(deltas.map((delta) => delta?.reasoning_content ?? "").join("")).toBe(reasoningTokens.join(""));
    expect(deltas.map((delta) => delta?.content ?? "").join("")).toBe(answerTokens.join(""));
    expect(deltas.findLastIndex((delta) => delta?.reasoning_content)).toBeLessThan(deltas.findIndex((delta) => delta?.content));
  });

  it("should end a stream that fails after some text with OpenAI's error event, which the client throws after that text", async () => {
    let text = "";
    const reading = (async () => {
      for await (const chunk of await client(baseURL).chat.completions.create({ model: "fails-midway", messages: question, stream: true })) text += chunk.choices[0]?.delta.content ?? "";
    })();
    await expect(reading).rejects.toMatchObject({ code: "unavailable", type: "server_error", message: expect.stringContaining("the model is unavailable (upstream HTTP 503)") });
    expect(text).toBe(saidBeforeFailing.join(""));
  });

  it("should leave every other path to the fallback", async () => {
    expect(await (await fetch(baseURL.replace("/v1", "/"))).text()).toBe("your app\n");
  });
});

describe("LangChain's ChatOpenAI pointed at tokenwire", () => {
  let baseURL = "";
  let outer: TokenwireServer;
  let outerUrl = "";
  beforeAll(async () => {
    baseURL = `${await listen(createServer(tokenwireOpenAIHandler(tokenwire)))}/v1`;
    // tokenwire behind tokenwire: the outer server's model is ChatOpenAI, its upstream the inner server's /v1.
    outer = createTokenwireServer({ resolve: createModelCatalog({ defaultModel: "echo", allowedModels: ["echo", "paced-20"], createModel: openAIModelFactory({ baseURL, maxRetries: 0 }) }) });
    outerUrl = `http://127.0.0.1:${(await outer.listen(0, "127.0.0.1")).port}`;
  });
  afterAll(() => outer?.shutdown(100));

  it("should stream the reply and its usage, and invoke it whole", async () => {
    const model = new ChatOpenAI({ model: "echo", apiKey: "sk-any", configuration: { baseURL }, maxRetries: 0 });
    let text = "";
    let usage;
    for await (const chunk of await model.stream("tokenwire behind tokenwire")) {
      text += chunk.content as string;
      usage = chunk.usage_metadata ?? usage;
    }
    expect(text).toBe("tokenwire behind tokenwire");
    expect(usage).toMatchObject({ input_tokens: 10, output_tokens: 3, total_tokens: 13 });
    expect((await model.invoke("once whole")).content).toBe("once whole");
  });

  it("should serve StreamTokens through the outer server, and close the fake upstream's request when the client cancels", async () => {
    const tokens = createClient(TokenService, createConnectTransport({ baseUrl: outerUrl, httpVersion: "1.1" }));
    const responses = await readAll(tokens.streamTokens({ generation: { input: { case: "prompt", value: "two servers deep" }, model: "echo" } }));
    expect(deltaTextOf(responses)).toBe("two servers deep");
    const controller = new AbortController();
    const next = upstream.nextRequest();
    const reading = (async () => {
      for await (const res of tokens.streamTokens({ generation: { input: { case: "prompt", value: "hi" }, model: "paced-20" } }, { signal: controller.signal })) {
        if (res.event.case === "delta") controller.abort();
      }
    })();
    await expect(reading).rejects.toThrow();
    expect(await (await next).ended).toBe("client-closed");
  });
});

describe("createTokenwireServer() shutting down", () => {
  it("should refuse new calls on both dialects with 503 while the streams in flight finish", async () => {
    const server = createTokenwireServer({ resolve: dialectResolver(upstream) });
    const baseUrl = `http://127.0.0.1:${(await server.listen(0, "127.0.0.1")).port}`;
    const inFlight = streamedText(client(`${baseUrl}/v1`), "paced-20");
    await vi.waitFor(() => expect(server.tokenwire.openStreams).toBe(1));
    const stopping = server.shutdown(5000);
    const refused = await client(`${baseUrl}/v1`).chat.completions.create({ model: "echo", messages: question, stream: true }).catch((error: unknown) => error);
    expect(refused).toMatchObject({ status: 503, code: "unavailable", message: expect.stringContaining("the server is shutting down") });
    const chat = await fetch(`${baseUrl}/api/chat`, { method: "POST", headers: { "content-type": "application/json" }, body: JSON.stringify({ messages: [{ role: "user", parts: [{ type: "text", text: "hi" }] }] }) });
    expect([chat.status, await chat.text()]).toEqual([503, "the server is shutting down"]);
    expect(await inFlight).toBe(defaultTokens.join(""));
    await stopping;
  });
});

describe("mounting", () => {
  it("should serve beside an Express app, after express.json() or without it", async () => {
    const express5 = express();
    express5.use(express.json());
    express5.use(tokenwireOpenAIHandler(tokenwire));
    express5.get("/", (_req, res) => void res.send("your app\n"));
    const baseUrl = await listen(createServer(express5));
    expect(await streamedText(client(`${baseUrl}/v1`))).toBe("over the wire");
    expect(await (await fetch(baseUrl)).text()).toBe("your app\n");
  });

  it("should serve from Fastify's routes with the body Fastify parsed", async () => {
    const fastify = Fastify();
    const handler = tokenwireOpenAIHandler(tokenwire);
    fastify.all("/v1/*", (request, reply) => {
      reply.hijack();
      handler(Object.assign(request.raw, { body: request.body }), reply.raw);
    });
    const baseUrl = await fastify.listen({ port: 0, host: "127.0.0.1" });
    try {
      expect(await streamedText(client(`${baseUrl}/v1`))).toBe("over the wire");
    } finally {
      await fastify.close();
    }
  });

  it("should serve as a fetch handler, and the app otherwise", async () => {
    const handler = tokenwireOpenAIFetchHandler(tokenwire, { fallback: async () => new Response("your app\n") });
    const viaHandler = (async (input: RequestInfo | URL, init?: RequestInit) => handler(new Request(input, init))) as typeof fetch;
    expect(await streamedText(client("http://tokenwire.test/v1", viaHandler))).toBe("over the wire");
    expect(await (await handler(new Request("http://tokenwire.test/"))).text()).toBe("your app\n");
  });
});
