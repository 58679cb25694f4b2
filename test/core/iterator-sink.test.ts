import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createIteratorSink } from "../../src/core/iterator-sink.ts";
import { produceTokens } from "../../src/core/token-stream.ts";
import type { TokenEvent } from "../../src/core/token-event.ts";
import type { TokenSink } from "../../src/core/token-sink.ts";
import { TokenwireError } from "../../src/core/tokenwire-error.ts";
import { openAIModelFactory } from "../../src/models/openai-model.ts";
import { startFakeOpenAI, type FakeOpenAI } from "../fixtures/fake-openai.ts";

const delta = (seq: number, text: string): TokenEvent => ({ type: "delta", seq, text });

async function readAll<E>(iterable: AsyncIterable<E>): Promise<E[]> {
  const events: E[] = [];
  for await (const event of iterable) events.push(event);
  return events;
}

describe("createIteratorSink()", () => {
  it("should merge the deltas a slow reader has not read into one, with the last sequence number", async () => {
    const sink = createIteratorSink<TokenEvent>();
    sink.write({ type: "started", seq: 0, runId: "r", model: "m" });
    for (let i = 1; i <= 5; i++) sink.write(delta(i, `t${i} `));
    sink.write({ type: "finished", seq: 6, finishReason: "stop", usage: undefined });
    sink.close();
    const events = await readAll(sink);
    expect(events.map((e) => e.type)).toEqual(["started", "delta", "finished"]);
    expect(events[1]).toEqual(delta(5, "t1 t2 t3 t4 t5 "));
  });

  it("should ask the producer to wait past the high-water mark, and release it once read", async () => {
    const sink = createIteratorSink<TokenEvent>({ highWaterMark: 10 });
    expect(sink.write(delta(1, "12345"))).toBeUndefined();
    const wait = sink.write(delta(2, "678901"));
    expect(wait).toBeInstanceOf(Promise);
    expect(sink.buffered).toBe(11);
    const iterator = sink[Symbol.asyncIterator]();
    expect(await iterator.next()).toEqual({ done: false, value: delta(2, "12345678901") });
    await wait;
    expect(sink.buffered).toBe(0);
  });

  it("should throw the error the stream was closed with, after the events written before it", async () => {
    const sink = createIteratorSink<TokenEvent>();
    sink.write(delta(1, "a"));
    sink.close(new TokenwireError("unavailable", "gone"));
    const iterator = sink[Symbol.asyncIterator]();
    expect(await iterator.next()).toEqual({ done: false, value: delta(1, "a") });
    await expect(iterator.next()).rejects.toMatchObject({ code: "unavailable", message: "gone" });
  });

  it("should call onReturn once when the reader stops early, and drop writes after it", async () => {
    let returned = 0;
    const sink = createIteratorSink<TokenEvent>({ onReturn: () => returned++ });
    sink.write(delta(1, "a"));
    for await (const _ of sink) break;
    expect(returned).toBe(1);
    expect(sink.write(delta(2, "b"))).toBeUndefined();
    expect(sink.buffered).toBe(0);
  });

  it("should not call onReturn when the reader leaves after the stream ended", async () => {
    let returned = 0;
    const sink = createIteratorSink<TokenEvent>({ onReturn: () => returned++ });
    sink.write(delta(1, "a"));
    sink.close();
    for await (const _ of sink) break;
    expect(returned).toBe(0);
  });
});

describe("createIteratorSink() with a reader that stops reading", () => {
  let upstream: FakeOpenAI;
  beforeAll(async () => {
    upstream = await startFakeOpenAI();
  });
  afterAll(() => upstream.close());

  it("should keep memory bounded by the high-water mark while tokens keep coming, and lose none", async () => {
    const tokenCount = 100_000;
    const model = openAIModelFactory({ apiKey: "sk-test", baseURL: upstream.url, maxRetries: 0 })({ model: `long-${tokenCount}` });
    const sink = createIteratorSink<TokenEvent>({ highWaterMark: 256 });
    let blocked!: () => void;
    const producerWaits = new Promise<void>((resolve) => (blocked = resolve));
    const watched: TokenSink = {
      write(event) {
        const wait = sink.write(event);
        if (wait) blocked();
        return wait;
      },
      close: (error) => sink.close(error),
    };
    const arrived = upstream.nextRequest();
    const done = produceTokens(watched, { runnable: model, input: "hi", model: "m" });
    await producerWaits;
    const longestToken = ` t${tokenCount - 1}`.length;
    expect(sink.buffered).toBeLessThanOrEqual(256 + longestToken);
    // The upstream is held back too: it cannot have pushed the whole reply past a reader that waits.
    expect((await arrived).tokensSent).toBeLessThan(tokenCount);

    const events = await readAll(sink);
    const text = events.filter((e) => e.type === "delta").map((e) => e.text).join("");
    expect(text).toBe(Array.from({ length: tokenCount }, (_, i) => ` t${i}`).join(""));
    expect(events.at(-1)).toMatchObject({ type: "finished", seq: tokenCount + 1 });
    expect((await done).error).toBeUndefined();
  });
});
