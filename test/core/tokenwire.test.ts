import { AsyncLocalStorage } from "node:async_hooks";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { RunnableLambda } from "@langchain/core/runnables";
import { createTokenwire, type TokenwireOptions } from "../../src/core/tokenwire.ts";
import type { RunEvent, TokenEvent } from "../../src/core/token-event.ts";
import { TokenwireError } from "../../src/core/tokenwire-error.ts";
import { createModelCatalog } from "../../src/models/model-catalog.ts";
import { LocalChatModel } from "../../src/models/local-chat-model.ts";
import { seedInputVariable, seedTemplate } from "../../src/models/seed-template.ts";
import { collect } from "../support/collect.ts";
import { openAIModelFactory } from "../../src/models/openai-model.ts";
import { startFakeOpenAI, type FakeOpenAI } from "../fixtures/fake-openai.ts";
import { textOf } from "../support/stream-text.ts";

function tokenwireWith(options: Partial<TokenwireOptions> & { tokensPerSecond?: number } = {}) {
  const lines: { level: string; fields: Record<string, unknown> }[] = [];
  const log = (level: string) => (fields: object) => lines.push({ level, fields: fields as Record<string, unknown> });
  const tokenwire = createTokenwire({
    resolve: createModelCatalog({
      defaultModel: "local",
      allowedModels: ["local"],
      createModel: ({ maxTokens }) => new LocalChatModel({ tokensPerSecond: options.tokensPerSecond ?? 0, maxTokens }),
      templates: { seed: { template: seedTemplate, inputVariable: seedInputVariable } },
    }),
    logger: { info: log("info"), warn: log("warn"), error: log("error") },
    ...options,
  });
  return { tokenwire, lines };
}


describe("createTokenwire()", () => {
  it("should stream a request and log one line with what the stream amounted to", async () => {
    const { tokenwire, lines } = tokenwireWith();
    const { events, error } = await collect(tokenwire.streamTokens({ prompt: "hi" }, { protocol: "in-process", method: "test" }));
    expect(error).toBeUndefined();
    expect(events.at(-1)).toMatchObject({ type: "finished", finishReason: "stop" });
    expect(lines).toHaveLength(1);
    expect(lines[0]).toMatchObject({ level: "info", fields: { protocol: "in-process", method: "test", model: "local", status: "ok", tokens: events.at(-1)!.seq - 1 } });
    expect(lines[0]!.fields).toHaveProperty("timeToFirstTokenMs");
    expect(lines[0]!.fields).toHaveProperty("durationMs");
    expect(tokenwire.openStreams).toBe(0);
  });

  it("should refuse a stream past the concurrency limit with resource_exhausted, and admit again after", async () => {
    const { tokenwire } = tokenwireWith({ limits: { maxConcurrentStreams: 1 }, tokensPerSecond: 50 });
    const first = tokenwire.streamTokens({ prompt: "hi" })[Symbol.asyncIterator]();
    expect((await first.next()).value).toMatchObject({ type: "started" });
    const { error } = await collect(tokenwire.streamTokens({ prompt: "hi" }));
    expect(error?.code).toBe("resource_exhausted");
    await first.return!();
    while (tokenwire.openStreams > 0) await new Promise((resolve) => setImmediate(resolve));
    expect((await collect(tokenwire.streamTokens({ prompt: "hi" }))).error).toBeUndefined();
  });

  it("should count a resumable stream once against the stream limit: its generation, not its first reader too", async () => {
    const { tokenwire } = tokenwireWith({ limits: { maxConcurrentStreams: 2 }, tokensPerSecond: 50 });
    const held = [0, 1].map(() => tokenwire.streamTokens({ prompt: "hi" }, { resumable: true })[Symbol.asyncIterator]());
    for (const stream of held) expect((await stream.next()).value).toMatchObject({ type: "started" });
    expect(tokenwire.openStreams).toBe(2);
    expect((await collect(tokenwire.streamTokens({ prompt: "hi" }))).error?.code).toBe("resource_exhausted");
    for (const stream of held) await collect({ [Symbol.asyncIterator]: () => stream });
  });

  it("should merge a stream's deltas within its coalescing window, the call's over the server's, and lose no text", async () => {
    const { tokenwire } = tokenwireWith({ coalesceMs: 1000, tokensPerSecond: 200 });
    const plain = await collect(tokenwire.streamTokens({ prompt: "one two three four" }, { coalesceMs: 0 }));
    const merged = await collect(tokenwire.streamTokens({ prompt: "one two three four" }));
    expect(textOf(merged.events)).toBe(textOf(plain.events));
    expect(merged.events.filter((e) => e.type === "delta").length).toBe(1);
    expect(plain.events.filter((e) => e.type === "delta").length).toBeGreaterThan(5);
    expect(merged.events.at(-1)).toMatchObject({ type: "finished", finishReason: "stop" });
    // A resumable stream's generation coalesces what goes into the log: its readers get the same merged deltas.
    const logged = await collect(tokenwire.streamTokens({ prompt: "one two three four" }, { resumable: true }));
    expect(textOf(logged.events)).toBe(textOf(plain.events));
    expect(logged.events.filter((e) => e.type === "delta").length).toBe(1);
  });

  it("should keep a resumable stream's note on its started event for every reader, and no note on a plain stream's", async () => {
    const { tokenwire } = tokenwireWith();
    const note = { asked: ["hi"], by: "the call" };
    const first = await collect(tokenwire.streamTokens({ prompt: "hi" }, { resumable: true, streamId: "noted", note }));
    expect(first.events[0]).toMatchObject({ type: "started", streamId: "noted", note });
    expect((await collect(tokenwire.resumeStream("noted", -1))).events[0]).toMatchObject({ type: "started", note });
    expect((await collect(tokenwire.streamTokens({ prompt: "hi" }, { note }))).events[0]).not.toHaveProperty("note");
  });

  it("should let the auth hook refuse a caller before any model runs", async () => {
    const { tokenwire, lines } = tokenwireWith({
      authenticate(headers) {
        if (headers.get("authorization") !== "Bearer good") throw new TokenwireError("unauthenticated", "a bearer token is needed");
      },
    });
    const refused = await collect(tokenwire.streamTokens({ prompt: "hi" }, { headers: new Headers({ authorization: "Bearer bad" }) }));
    expect(refused).toMatchObject({ events: [], error: { code: "unauthenticated", message: "a bearer token is needed" } });
    expect(lines[0]).toMatchObject({ level: "warn", fields: { status: "unauthenticated" } });
    const admitted = await collect(tokenwire.streamTokens({ prompt: "hi" }, { headers: new Headers({ authorization: "Bearer good" }) }));
    expect(admitted.error).toBeUndefined();
  });

  it("should admit a burst past the limit in arrival order, refusing the latest", async () => {
    const { tokenwire } = tokenwireWith({ limits: { maxConcurrentStreams: 2 }, tokensPerSecond: 100 });
    const outcomes = await Promise.all([1, 2, 3, 4].map(() => collect(tokenwire.streamTokens({ prompt: "hi" }))));
    expect(outcomes.map(({ error }) => error?.code ?? "ok")).toEqual(["ok", "ok", "resource_exhausted", "resource_exhausted"]);
  });

  it("should refuse overlong names, and never echo more than a bounded prefix of what the caller sent", async () => {
    const { tokenwire } = tokenwireWith();
    const long = "m".repeat(900 * 1024);
    const { error } = await collect(tokenwire.streamTokens({ prompt: "hi", model: long }));
    expect(error).toMatchObject({ code: "invalid_argument" });
    expect(error!.message.length).toBeLessThan(200);
    const unknown = await collect(tokenwire.streamTokens({ prompt: "hi", model: "x".repeat(120) }));
    expect(unknown.error).toMatchObject({ code: "not_found" });
    expect(unknown.error!.message.length).toBeLessThan(200);
  });

  it("should refuse as unauthenticated whatever else the authenticate hook throws, never as the upstream's failure", async () => {
    const { tokenwire } = tokenwireWith({
      authenticate() {
        throw Object.assign(new Error("forbidden"), { status: 403 });
      },
    });
    const { error } = await collect(tokenwire.streamTokens({ prompt: "hi" }));
    expect(error).toMatchObject({ code: "unauthenticated", message: "the call was not authenticated" });
    expect(error?.message).not.toMatch(/upstream|model/);
  });

  it("should answer an unknown model with not_found and a bad request with invalid_argument", async () => {
    const { tokenwire } = tokenwireWith();
    expect((await collect(tokenwire.streamTokens({ prompt: "hi", model: "gpt-9" }))).error).toMatchObject({ code: "not_found" });
    expect((await collect(tokenwire.streamTokens({ prompt: "" }))).error).toMatchObject({ code: "invalid_argument" });
  });

  it("should refuse a request's tools when the resolver did not say it bound them, and stream them when it did", async () => {
    const tools = [{ name: "lookup", parameters: { type: "object" } }];
    const resolveWith = (toolsBound: boolean | undefined) => () => ({ model: "local", runnable: new LocalChatModel({ tokensPerSecond: 0 }), input: "hi", toolsBound });
    for (const toolsBound of [undefined, false]) {
      const { error } = await collect(createTokenwire({ resolve: resolveWith(toolsBound) }).streamTokens({ prompt: "hi", tools }));
      expect(error).toMatchObject({ code: "invalid_argument", message: "this server's model does not take the request's tools: send the request without them" });
    }
    expect((await collect(createTokenwire({ resolve: resolveWith(true) }).streamTokens({ prompt: "hi", tools }))).error).toBeUndefined();
    expect((await collect(createTokenwire({ resolve: resolveWith(undefined) }).streamTokens({ prompt: "hi" }))).error).toBeUndefined();
  });

  it.each(["streamTokens", "pipeTokens"] as const)("should make every %s stream resumable when the server says always", async (how) => {
    const { tokenwire } = tokenwireWith({ streams: { always: true } });
    const events: TokenEvent[] = [];
    if (how === "streamTokens") events.push(...(await collect(tokenwire.streamTokens({ prompt: "hi" }))).events);
    else await tokenwire.pipeTokens({ prompt: "hi" }, { write: (event) => void events.push(event), close: () => {} });
    const started = events[0] as Extract<TokenEvent, { type: "started" }>;
    expect(started.streamId).toEqual(expect.any(String));
    const resumed = await collect(tokenwire.resumeStream(started.streamId!, -1));
    expect(textOf(resumed.events)).toBe(textOf(events));
  });

  it("should keep other streams going when one fails", async () => {
    const { tokenwire } = tokenwireWith({ tokensPerSecond: 200 });
    const [good, bad] = await Promise.all([
      collect(tokenwire.streamTokens({ prompt: "one" })),
      collect(tokenwire.streamTokens({ prompt: "two", template: "missing" })),
    ]);
    expect(bad.error?.code).toBe("not_found");
    expect(good.error).toBeUndefined();
    expect(textOf(good.events)).toMatch(/You said: one$/);
  });

  it("should end every stream with the reason of its signal, such as a shutdown's unavailable", async () => {
    const stopping = new AbortController();
    const { tokenwire } = tokenwireWith({ signal: stopping.signal, tokensPerSecond: 20 });
    const reading = collect(tokenwire.streamTokens({ prompt: "hi" }));
    stopping.abort(new TokenwireError("unavailable", "the server is shutting down"));
    expect((await reading).error).toMatchObject({ code: "unavailable", message: "the server is shutting down" });
  });

  it("should stream LangChain's run events for a chain, from the chain's start to its end", async () => {
    const { tokenwire } = tokenwireWith();
    const { events, error } = await collect<RunEvent>(tokenwire.streamRunEvents({ prompt: "hi", template: "seed" }));
    expect(error).toBeUndefined();
    const kinds = events.map((e) => e.event);
    expect(kinds[0]).toBe("on_chain_start");
    expect(kinds).toContain("on_prompt_start");
    expect(kinds).toContain("on_chat_model_start");
    expect(kinds).toContain("on_chat_model_end");
    expect(kinds.at(-1)).toBe("on_chain_end");
    const streamed = events.filter((e) => e.event === "on_chat_model_stream").map((e) => e.text).join("");
    expect(streamed).toMatch(/You said: hi$/);
    expect(events.map((e) => e.seq)).toEqual(events.map((_, i) => i));
  });
});

describe("createTokenwire() with observers", () => {
  it("should tell each observer of a stream's kind and outcome, and make its context current for the model call", async () => {
    const store = new AsyncLocalStorage<string>();
    const seen: { kind: string; model?: string; caller?: string; status?: string }[] = [];
    const tokenwire = createTokenwire({
      // The runnable reads the context that is current when it runs: an observer's span would be found the same way.
      resolve: () => ({ model: "lambda", runnable: RunnableLambda.from(() => `in ${store.getStore()}`) as never, input: {} }),
      authenticate: () => "alice",
      observers: [
        ({ kind }) => {
          const entry: (typeof seen)[number] = { kind };
          seen.push(entry);
          return {
            run: (start) => store.run("trace-1", start),
            end: ({ summary, model, caller }) => Object.assign(entry, { model, caller, status: summary.error?.code ?? "ok" }),
          };
        },
      ],
    });
    const { events } = await collect(tokenwire.streamTokens({ prompt: "hi" }));
    expect(events.find((e) => e.type === "delta")).toMatchObject({ text: "in trace-1" });
    expect(seen).toEqual([{ kind: "generation", model: "lambda", caller: "alice", status: "ok" }]);
  });

  it("should see a resumable stream as one generation, a resume as a read without usage, and a stop as a generation stopped", async () => {
    const outcomes: { kind: string; reason?: string; usage?: unknown }[] = [];
    const { tokenwire, lines } = tokenwireWith({
      tokensPerSecond: 50,
      observers: [({ kind }) => ({ end: ({ summary }) => void outcomes.push({ kind, reason: summary.error?.reason, usage: summary.usage }) })],
    });
    const iterator = tokenwire.streamTokens({ prompt: "hi" }, { resumable: true })[Symbol.asyncIterator]();
    const started = (await iterator.next()).value as TokenEvent & { streamId: string };
    await iterator.next();
    await iterator.return!();
    const resumed = collect(tokenwire.resumeStream(started.streamId, 0));
    expect(await tokenwire.stopStream(started.streamId)).toBe(true);
    expect((await resumed).events.at(-1)).toMatchObject({ type: "finished", finishReason: "stopped" });
    while (tokenwire.openStreams > 0) await new Promise((resolve) => setImmediate(resolve));
    const byKind = <T extends object>(items: T[], kindOf: (item: T) => unknown) => [...items].sort((a, b) => String(kindOf(a)).localeCompare(String(kindOf(b))));
    expect(byKind(outcomes, (o) => o.kind)).toEqual([
      { kind: "generation", reason: "stopped", usage: undefined },
      { kind: "read", reason: undefined, usage: undefined },
    ]);
    expect(byKind(lines, (l) => l.fields.kind).map(({ fields }) => [fields.kind, fields.status])).toEqual([
      ["generation", "canceled"],
      ["read", "ok"],
    ]);
  });
});

describe("createTokenwire() with an upstream idle bound", () => {
  let upstream: FakeOpenAI;
  beforeAll(async () => {
    upstream = await startFakeOpenAI();
  });
  afterAll(() => upstream.close());

  const withIdleBound = (highWaterMark?: number) =>
    createTokenwire({
      resolve: createModelCatalog({ defaultModel: "stall-after-3", createModel: openAIModelFactory({ baseURL: upstream.url, maxRetries: 0 }) }),
      // Long enough that a busy machine's slow start of the client is not the model's silence.
      limits: { upstreamIdleMs: 1000, highWaterMark },
    });

  it("should end a stream whose model stalls with unavailable, and close the upstream request", async () => {
    const arrived = upstream.nextRequest();
    const { events, error } = await collect(withIdleBound().streamTokens({ prompt: "hi" }));
    expect(error).toMatchObject({ code: "unavailable", message: "the model sent nothing for 1 s" });
    expect(events.some((e) => e.type === "delta")).toBe(true);
    expect(await (await arrived).ended).toBe("client-closed");
  });

  it("should not count the time a slow reader holds the model back as the model's silence", async () => {
    const tokenwire = withIdleBound(1);
    const seen: TokenEvent[] = [];
    for await (const event of tokenwire.streamTokens({ prompt: "hi", model: "long-50" })) {
      seen.push(event);
      if (seen.length === 2) await new Promise((resolve) => setTimeout(resolve, 1500));
    }
    expect(seen.at(-1)).toMatchObject({ type: "finished", finishReason: "stop" });
  });
});
