import { afterAll, beforeAll, describe, expect, it } from "vitest";
import OpenAI from "openai";
import type { Tokenwire } from "../../../src/index.ts";
import { tokenwireResponsesFetchHandler } from "../../../src/adapters/openai-responses/index.ts";
import { createTokenwireServer, type TokenwireServer } from "../../../src/server/index.ts";
import { answerTokens, reasoningTokens, startFakeOpenAI, type FakeOpenAI } from "../../fixtures/fake-openai.ts";
import { runs } from "../../support/collect.ts";
import { weatherIn } from "../../support/agents.ts";
import { dialectResolver, dialectTokenwire, saidBeforeFailing } from "../dialect/dialect-models.ts";
import { deltaText, responseEventsOf, type StreamEvent } from "./response-events.ts";

// A server over runnables beyond a plain chat model: DeepSeek's reasoning model, a ReAct agent, one that fails midway.
let upstream: FakeOpenAI;
let server: TokenwireServer;
let baseUrl = "";
beforeAll(async () => {
  upstream = await startFakeOpenAI();
  server = createTokenwireServer({ resolve: dialectResolver(upstream) });
  baseUrl = `http://127.0.0.1:${(await server.listen(0, "127.0.0.1")).port}`;
});
afterAll(async () => {
  await server?.shutdown(100);
  await upstream?.close();
});

const client = (baseURL = `${baseUrl}/v1`, fetch?: typeof globalThis.fetch) => new OpenAI({ apiKey: "unused", baseURL, maxRetries: 0, fetch });
const question = "What is the weather in Paris?";
const post = (body: object) => fetch(`${baseUrl}/v1/responses`, { method: "POST", headers: { "content-type": "application/json" }, body: JSON.stringify(body) });

describe("/v1/responses serving a reasoning model, an agent and a runnable that fails", () => {
  it("should stream reasoning as a reasoning item with its summary events, before the message item", async () => {
    const events: StreamEvent[] = [];
    for await (const event of await client().responses.create({ model: "reasoning", input: question, stream: true })) events.push(event);
    const reasoning = events.filter((event) => event.type.startsWith("response.reasoning_summary"));
    expect(runs(reasoning.map((event) => event.type))).toEqual([
      "response.reasoning_summary_part.added",
      "response.reasoning_summary_text.delta",
      "response.reasoning_summary_text.done",
      "response.reasoning_summary_part.done",
    ]);
    const summary = reasoning.map((event) => (event.type === "response.reasoning_summary_text.delta" ? event.delta : "")).join("");
    expect(summary).toBe(reasoningTokens.join(""));
    expect(deltaText(events)).toBe(answerTokens.join(""));
    expect(events.at(-1)).toMatchObject({
      type: "response.completed",
      response: { output: [{ type: "reasoning", summary: [{ type: "summary_text", text: summary }] }, { type: "message", content: [{ text: answerTokens.join("") }] }] },
    });
  });

  it("should answer an agent's run with its tool's call as a function_call item, then its answer", async () => {
    const response = await client().responses.create({ model: "agent", input: question });
    expect(response.output).toMatchObject([
      { type: "function_call", name: "get_weather", arguments: '{"city":"Paris"}', call_id: expect.stringMatching(/^call_/), status: "completed" },
      { type: "message", status: "completed" },
    ]);
    expect(response.output_text).toBe(`The tool says: ${weatherIn("Paris")}`);
  });

  it("should end a stream that fails midway with an error event, which the client throws, then response.failed", async () => {
    const response = await post({ model: "fails-midway", input: question, stream: true });
    expect(response.status).toBe(200);
    const events = await responseEventsOf(response.body!);
    expect(deltaText(events)).toBe(saidBeforeFailing.join(""));
    expect(events.slice(-2)).toMatchObject([
      { type: "error", code: "unavailable", message: "the model is unavailable (upstream HTTP 503)" },
      { type: "response.failed", response: { status: "failed", error: { code: "server_error" }, output: [{ type: "message", status: "incomplete" }] } },
    ]);
    const seen: string[] = [];
    const reading = (async () => {
      for await (const event of await client().responses.create({ model: "fails-midway", input: question, stream: true })) seen.push(event.type);
    })();
    await expect(reading).rejects.toMatchObject({ code: "unavailable", message: expect.stringContaining("the model is unavailable") });
    expect(seen).toContain("response.output_text.delta");
  });

  it("should answer a call that does not stream and fails midway with the error's status", async () => {
    const response = await post({ model: "fails-midway", input: question });
    expect(response.status).toBe(503);
    expect(await response.json()).toMatchObject({ error: { code: "unavailable" } });
  });
});

describe("tokenwireResponsesFetchHandler()", () => {
  let tokenwire: Tokenwire;
  beforeAll(() => {
    tokenwire = dialectTokenwire(upstream);
  });

  it("should serve the Responses API, background reads with their query string included, to a fetch client", async () => {
    const handler = tokenwireResponsesFetchHandler(tokenwire, { fallback: async () => new Response("your app\n") });
    const viaHandler = (async (input: RequestInfo | URL, init?: RequestInit) => handler(new Request(input, init))) as typeof fetch;
    const openai = client("http://tokenwire.test/v1", viaHandler);
    expect((await openai.responses.create({ model: "echo", input: "over the wire" })).output_text).toBe("over the wire");
    const created = await openai.responses.create({ model: "echo", input: "in the background", background: true });
    const events: StreamEvent[] = [];
    for await (const event of await openai.responses.retrieve(created.id, { stream: true, starting_after: 0 })) events.push(event);
    expect(events[0]).toMatchObject({ type: "response.in_progress", sequence_number: 1 });
    expect(deltaText(events)).toBe("in the background");
    // An EventSource that reconnects says where it was by the id of the last frame it had.
    const reconnected = await handler(new Request(`http://tokenwire.test/v1/responses/${created.id}?stream=true`, { headers: { "last-event-id": "1" } }));
    expect((await responseEventsOf(reconnected.body!))[0]!.sequence_number).toBe(events[1]!.sequence_number);
    expect(await (await handler(new Request("http://tokenwire.test/"))).text()).toBe("your app\n");
  });
});
