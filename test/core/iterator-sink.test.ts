import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createIteratorSink } from "../../src/core/iterator-sink.ts";
import { produceTokens } from "../../src/core/token-stream.ts";
import type { TokenEvent } from "../../src/core/token-event.ts";
import type { TokenSink } from "../../src/core/token-sink.ts";
import { openAIModelFactory } from "../../src/models/openai-model.ts";
import { startFakeOpenAI, type FakeOpenAI } from "../fixtures/fake-openai.ts";
import { collect } from "../support/collect.ts";
import { runSinkContract } from "../support/sink-contract.ts";
import { textOf } from "../support/stream-text.ts";

const delta = (seq: number, text: string): TokenEvent => ({ type: "delta", seq, text });

runSinkContract({
  name: "createIteratorSink()",
  createSink({ highWaterMark }) {
    let gone!: () => void;
    const readerGone = new Promise<void>((resolve) => (gone = resolve));
    const sink = createIteratorSink<TokenEvent>({ highWaterMark, onReturn: gone });
    return { sink, read: () => sink, readerGone };
  },
});

describe("createIteratorSink()", () => {
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

    const { events } = await collect(sink);
    const text = textOf(events);
    expect(text).toBe(Array.from({ length: tokenCount }, (_, i) => ` t${i}`).join(""));
    expect(events.at(-1)).toMatchObject({ type: "finished", seq: tokenCount + 1 });
    expect((await done).error).toBeUndefined();
  });
});
