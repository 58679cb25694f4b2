import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createIteratorSink } from "../../src/core/iterator-sink.ts";
import { produceTokens } from "../../src/core/token-stream.ts";
import type { TokenEvent } from "../../src/core/token-event.ts";
import { TokenwireError } from "../../src/core/tokenwire-error.ts";
import { openAIModelFactory } from "../../src/models/openai-model.ts";
import { defaultTokens, startFakeOpenAI, type FakeOpenAI } from "../fixtures/fake-openai.ts";
import { textOf } from "../support/stream-text.ts";

let upstream: FakeOpenAI;
beforeAll(async () => {
  upstream = await startFakeOpenAI();
});
afterAll(() => upstream.close());

function chatModel(model: string) {
  return openAIModelFactory({ apiKey: "sk-test-key", baseURL: upstream.url, maxRetries: 0 })({ model });
}

async function run(model: string, options: { signal?: AbortSignal; timeoutMs?: number } = {}) {
  const sink = createIteratorSink<TokenEvent>();
  const summary = produceTokens(sink, { runnable: chatModel(model), input: "hi", model, ...options });
  const events: TokenEvent[] = [];
  let error: unknown;
  try {
    for await (const event of sink) events.push(event);
  } catch (reason) {
    error = reason;
  }
  return { events, error, summary: await summary };
}

describe("produceTokens()", () => {
  it("should deliver every token once, in order, between started and finished", async () => {
    const { events, error } = await run("gpt-test");
    expect(error).toBeUndefined();
    expect(events[0]).toMatchObject({ type: "started", seq: 0, model: "gpt-test" });
    const text = textOf(events);
    expect(text).toBe(defaultTokens.join(""));
    const seqs = events.map((e) => e.seq);
    expect(seqs).toEqual([...seqs].sort((a, b) => a - b));
    expect(new Set(seqs).size).toBe(seqs.length);
    expect(events.at(-1)).toMatchObject({ type: "finished", seq: defaultTokens.length + 1 });
  });

  it("should report the finish reason and the usage", async () => {
    const { events, summary } = await run("gpt-test");
    const usage = { inputTokens: 7, outputTokens: defaultTokens.length, totalTokens: 7 + defaultTokens.length };
    expect(events.at(-1)).toEqual({ type: "finished", seq: defaultTokens.length + 1, finishReason: "stop", usage });
    expect(summary).toMatchObject({ tokens: defaultTokens.length, usage, error: undefined });
    expect(upstream.requests.at(-1)?.body.stream_options?.include_usage).toBe(true);
  });

  it("should close the upstream connection when the caller aborts", async () => {
    const controller = new AbortController();
    const sink = createIteratorSink<TokenEvent>();
    const arrived = upstream.nextRequest();
    const done = produceTokens(sink, { runnable: chatModel("paced-50"), input: "hi", model: "m", signal: controller.signal });
    const iterator = sink[Symbol.asyncIterator]();
    await iterator.next(); // started
    await iterator.next(); // first delta
    controller.abort();
    const request = await arrived;
    await request.clientClosed;
    expect(await request.ended).toBe("client-closed");
    expect(request.tokensSent).toBeLessThan(defaultTokens.length);
    expect((await done).error?.code).toBe("canceled");
  });

  it.each([
    ["status-429", "resource_exhausted"],
    ["status-401", "unauthenticated"],
    ["status-500", "unavailable"],
    ["status-400", "invalid_argument"],
    ["reset-after-3", "unavailable"],
    ["no-finish", "unavailable"],
  ])("should map upstream %s to %s", async (model, code) => {
    const { error, summary } = await run(model);
    expect(error).toBeInstanceOf(TokenwireError);
    expect((error as TokenwireError).code).toBe(code);
    expect(summary.error?.code).toBe(code);
  });

  it("should end a stream that stalls past its deadline with deadline_exceeded and close the upstream", async () => {
    const arrived = upstream.nextRequest();
    const { error, events } = await run("stall-after-3", { timeoutMs: 300 });
    expect((error as TokenwireError).code).toBe("deadline_exceeded");
    expect(textOf(events)).toBe(defaultTokens.slice(0, 3).join(""));
    expect(await (await arrived).ended).toBe("client-closed");
  });

  it("should end a stream whose upstream reports an error mid-reply with unavailable, keeping the tokens before it", async () => {
    const { events, error } = await run("error-after-3");
    expect(textOf(events)).toBe(defaultTokens.slice(0, 3).join(""));
    expect(error).toMatchObject({ code: "unavailable", reason: "upstreamErrorEvent", message: "the model server reported an error in its stream" });
  });

  it("should never touch an event once written: the sink owns it", async () => {
    const frozen = { write: (event: TokenEvent) => void Object.freeze(event), close: (error?: TokenwireError) => void (closedWith = error ?? "clean") };
    let closedWith: TokenwireError | "clean" | undefined;
    const summary = await produceTokens(frozen, { runnable: chatModel("gpt-test"), input: "hi", model: "gpt-test" });
    expect(closedWith).toBe("clean");
    expect(summary.tokens).toBe(defaultTokens.length);
  });

  it("should never put the upstream's message, which may hold a key, in the error", async () => {
    const { error } = await run("status-401");
    expect((error as Error).message).not.toMatch(/sk-/);
    expect((error as Error).message).toBe("the model rejected the server's credentials (upstream HTTP 401)");
  });
});
