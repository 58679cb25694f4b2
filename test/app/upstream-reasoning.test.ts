import { mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import OpenAI from "openai";
import { DefaultChatTransport, readUIMessageStream, type UIMessage } from "ai";
import { Code, createClient, type Transport } from "@connectrpc/connect";
import { createConnectTransport, createGrpcTransport } from "@connectrpc/connect-node";
import { TokenService } from "../../gen/tokenwire/v1/token_service_pb.js";
import { answerTokens, reasoningTokens, startFakeOpenAI, type FakeOpenAI } from "../fixtures/fake-openai.ts";
import { startFakeResponses, summaryParts, type FakeResponses } from "../fixtures/fake-responses.ts";
import { startTokenwireProcess, type TokenwireProcess } from "../fixtures/tokenwire-process.ts";

let chat: FakeOpenAI;
let responses: FakeResponses;
beforeAll(async () => ([chat, responses] = await Promise.all([startFakeOpenAI(), startFakeResponses()])));
afterAll(() => Promise.all([chat.close(), responses.close()]));

/** What a reply carried on one wire: its reasoning and its text. */
interface Said {
  reasoning: string;
  text: string;
}

const question = "Say hello";

/** StreamTokens over a transport of Connect's, read to its end. */
const tokenService = (transportTo: (url: string) => Transport) => async (url: string, model: string) => {
  const said = { reasoning: "", text: "" };
  const client = createClient(TokenService, transportTo(url));
  for await (const { event } of client.streamTokens({ generation: { model, input: { case: "prompt", value: question } } })) {
    if (event.case === "reasoning") said.reasoning += event.value.text;
    if (event.case === "delta") said.text += event.value.text;
  }
  return said;
};

/** One wire of `npm start`, read with its own client: each returns the reply's reasoning and text. */
const wires: Record<string, (url: string, model: string) => Promise<Said>> = {
  "gRPC StreamTokens": tokenService((baseUrl) => createGrpcTransport({ baseUrl })),
  "Connect StreamTokens": tokenService((baseUrl) => createConnectTransport({ baseUrl, httpVersion: "1.1" })),
  async "POST /v1/chat/completions"(url, model) {
    const said = { reasoning: "", text: "" };
    const openai = new OpenAI({ apiKey: "sk-any", baseURL: `${url}/v1`, maxRetries: 0 });
    for await (const chunk of await openai.chat.completions.create({ model, messages: [{ role: "user", content: question }], stream: true })) {
      const delta = chunk.choices[0]?.delta as { content?: string; reasoning_content?: string } | undefined;
      said.reasoning += delta?.reasoning_content ?? "";
      said.text += delta?.content ?? "";
    }
    return said;
  },
  async "POST /api/chat"(url, model) {
    const transport = new DefaultChatTransport<UIMessage>({ api: `${url}/api/chat`, body: { model } });
    const messages: UIMessage[] = [{ id: "u1", role: "user", parts: [{ type: "text", text: question }] }];
    const stream = await transport.sendMessages({ chatId: "c1", messages, trigger: "submit-message", messageId: undefined, abortSignal: undefined });
    let message: UIMessage | undefined;
    for await (const snapshot of readUIMessageStream({ stream })) message = snapshot;
    const parts = message?.parts ?? [];
    const textOf = (type: "reasoning" | "text") => parts.flatMap((part) => (part.type === type ? [part.text] : [])).join("");
    return { reasoning: textOf("reasoning"), text: textOf("text") };
  },
};

const modelsFile = (content: object) => {
  const path = join(mkdtempSync(join(tmpdir(), "tokenwire-reasoning-")), "models.json");
  writeFileSync(path, JSON.stringify(content));
  return path;
};

describe("npm start with OPENAI_BASE_URL at an OpenAI-compatible server that reasons", () => {
  let server: TokenwireProcess;
  beforeAll(async () => (server = await startTokenwireProcess({ upstreamUrl: chat.url, models: ["reasoning", "reasoning-vllm"] })));
  afterAll(() => server.stop());

  it.each(Object.keys(wires))("should carry delta.reasoning_content and delta.reasoning as reasoning to %s", async (wire) => {
    for (const model of ["reasoning", "reasoning-vllm"]) {
      expect(await wires[wire]!(server.url, model)).toEqual({ reasoning: reasoningTokens.join(""), text: answerTokens.join("") });
    }
  });
});

describe("npm start with a models file", () => {
  const summary = summaryParts.map((part) => part.join("")).join("\n\n");
  let server: TokenwireProcess;
  beforeAll(async () => {
    const file = modelsFile({
      providers: [
        { name: "openai", type: "openai", api: "responses", baseUrl: responses.url, apiKeyEnv: "TEST_OPENAI_KEY", models: ["o4-mini", "o4-mini-paced-20", "gpt-4.1"], maxRetries: 0 },
        { name: "vllm", type: "openai", baseUrl: chat.url, models: ["reasoning-vllm"], maxRetries: 0 },
      ],
    });
    server = await startTokenwireProcess({ env: { TOKENWIRE_MODELS_FILE: file, TEST_OPENAI_KEY: "sk-openai-test" } });
  });
  afterAll(() => server.stop());

  it.each(Object.keys(wires))('should carry an "api": "responses" provider\'s reasoning summaries, and a chat provider\'s reasoning, to %s', async (wire) => {
    expect(await wires[wire]!(server.url, "o4-mini")).toEqual({ reasoning: summary, text: answerTokens.join("") });
    expect(responses.requests.at(-1)).toMatchObject({ authorization: "Bearer sk-openai-test", body: { model: "o4-mini", reasoning: { summary: "auto" } } });
    expect(await wires[wire]!(server.url, "gpt-4.1")).toEqual({ reasoning: "", text: answerTokens.join("") });
    expect(await wires[wire]!(server.url, "reasoning-vllm")).toEqual({ reasoning: reasoningTokens.join(""), text: answerTokens.join("") });
  });

  it("should close the Responses upstream's connection when the client goes away", async () => {
    const client = createClient(TokenService, createGrpcTransport({ baseUrl: server.url }));
    const before = responses.requests.length;
    const cancel = new AbortController();
    const stream = client.streamTokens({ generation: { model: "o4-mini-paced-20", input: { case: "prompt", value: question } } }, { signal: cancel.signal });
    const read = async () => {
      for await (const { event } of stream) if (event.case === "reasoning") cancel.abort();
    };
    await expect(read()).rejects.toMatchObject({ code: Code.Canceled });
    const request = responses.requests[before]!;
    expect(await request.ended).toBe("client-closed");
    expect(request.sent.summary.length).toBeLessThan(summaryParts.flat().length);
  });
});
