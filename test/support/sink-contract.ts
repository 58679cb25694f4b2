import { describe, expect, it } from "vitest";
import type { TokenEvent, TokenSink } from "../../src/index.ts";
import { TokenwireError } from "../../src/index.ts";
import { collect } from "./collect.ts";
import { textOf } from "./stream-text.ts";

/** A sink under test, and the far side of it: what a client of that transport reads. */
export interface SinkUnderTest {
  sink: TokenSink<TokenEvent>;
  /** The events as the client receives them, to the end; a failure is thrown. */
  read(): AsyncIterable<TokenEvent>;
  /** Resolves once the sink has learnt that its reader went away; unset for a sink whose readers come and go (a log). */
  readerGone?: Promise<void>;
}

/** Options of {@link runSinkContract}. */
export interface SinkContractOptions {
  name: string;
  /** A fresh sink that asks the producer to wait past `highWaterMark` characters of unread text. */
  createSink(options: { highWaterMark: number }): SinkUnderTest | Promise<SinkUnderTest>;
  /**
   * The sink's policy for a reader that is behind: `merge` joins unread
   * deltas and holds the producer past the high-water mark (a wire's sink);
   * `keep` keeps every event as written (a log). Default `merge`.
   */
  slowReader?: "merge" | "keep";
  /** Contract tests this sink cannot run, each with the reason. */
  skip?: { reason: string; tests: string[] }[];
}

const started: TokenEvent = { type: "started", seq: 0, runId: "run", model: "m" };
const delta = (seq: number, text: string, node?: string): TokenEvent => ({ type: "delta", seq, text, origin: node ? { node } : undefined });
const finished = (seq: number): TokenEvent => ({ type: "finished", seq, finishReason: "stop", usage: undefined });

/**
 * What every {@link TokenSink} owes a producer, run against one
 * implementation: order, one close, waits that always end, errors, and the
 * ownership of what is written; then its policy for a slow reader.
 */
export function runSinkContract({ name, createSink, slowReader = "merge", skip = [] }: SinkContractOptions): void {
  const skipped = new Set(skip.flatMap((s) => s.tests));
  const test = (title: string, body: () => Promise<void>) => (skipped.has(title) ? it.skip : it)(title, body);

  describe(`${name}: the TokenSink contract`, () => {
    test("should deliver every event once, in order, and end cleanly when closed without an error", async () => {
      const { sink, read } = await createSink({ highWaterMark: 1 << 20 });
      const written = [started, delta(1, "a"), { type: "reasoning", seq: 2, text: "r" } as TokenEvent, delta(3, "b"), finished(4)];
      for (const event of written) await sink.write(event);
      sink.close();
      const { events, error } = await collect(read());
      expect(error).toBeUndefined();
      expect(events.map((e) => e.type)).toEqual(["started", "delta", "reasoning", "delta", "finished"]);
      expect(events.map((e) => e.seq)).toEqual([0, 1, 2, 3, 4]);
    });

    test("should end with the error it was closed with, after the events written before it", async () => {
      const { sink, read } = await createSink({ highWaterMark: 1 << 20 });
      await sink.write(started);
      await sink.write(delta(1, "a"));
      sink.close(new TokenwireError("unavailable", "gone"));
      const { events, error } = await collect(read());
      expect(textOf(events)).toBe("a");
      expect(error).toMatchObject({ code: "unavailable", message: "gone" });
    });

    test("should keep the first close: a second one, or a write after it, changes nothing", async () => {
      const { sink, read } = await createSink({ highWaterMark: 1 << 20 });
      await sink.write(started);
      await sink.write(delta(1, "a"));
      sink.close();
      sink.close(new TokenwireError("internal", "too late"));
      await sink.write(delta(2, "b"));
      const { events, error } = await collect(read());
      expect(error).toBeUndefined();
      expect(textOf(events)).toBe("a");
    });

    test("should end every wait it asked for once its reader has read, so a producer never hangs", async () => {
      const { sink, read } = await createSink({ highWaterMark: 4 });
      // A producer waits on each write that asks it to, as runStream does, while its reader starts late.
      const producing = (async () => {
        await sink.write(started);
        for (let i = 1; i <= 20; i++) await sink.write(delta(i, "12345"));
        sink.close();
      })();
      await new Promise((resolve) => setImmediate(resolve));
      const { events } = await collect(read());
      await producing;
      expect(textOf(events)).toBe("12345".repeat(20));
    });

    test("should own what it was written: the reader gets the events as they were when written", async () => {
      const { sink, read } = await createSink({ highWaterMark: 1 << 20 });
      // A producer writes an event and lets it go: the sink may keep it, merge into it, or copy it.
      const written = [started, delta(1, "a"), delta(2, "b"), finished(3)];
      for (const event of written) await sink.write(event);
      sink.close();
      const { events } = await collect(read());
      expect(textOf(events)).toBe("ab");
      expect(events.at(-1)).toMatchObject({ type: "finished", finishReason: "stop" });
    });

    test("should report a reader that goes away, and stop holding the producer back", async () => {
      const { sink, read, readerGone } = await createSink({ highWaterMark: 4 });
      if (!readerGone) return;
      await sink.write(started);
      const wait = sink.write(delta(1, "more than four"));
      for await (const _ of read()) break;
      await readerGone;
      await wait;
      expect(sink.write(delta(2, "after"))).toBeUndefined();
    });
  });

  if (slowReader === "keep") {
    describe(`${name}: a slow reader gets every event as written`, () => {
      test("should keep each delta as its own event", async () => {
        const { sink, read } = await createSink({ highWaterMark: 1 << 20 });
        for (const event of [started, delta(1, "a"), delta(2, "b"), finished(3)]) void sink.write(event);
        sink.close();
        const { events } = await collect(read());
        expect(events.map((e) => `${e.type}@${e.seq}`)).toEqual(["started@0", "delta@1", "delta@2", "finished@3"]);
      });
    });
    return;
  }

  describe(`${name}: a slow reader gets merged deltas and holds the producer back`, () => {
    test("should merge the unread deltas of one kind and origin, and nothing across kinds, origins or tool calls", async () => {
      const { sink, read } = await createSink({ highWaterMark: 1 << 20 });
      const written: TokenEvent[] = [
        started,
        delta(1, "a"),
        delta(2, "b"),
        delta(3, "c", "other"),
        { type: "reasoning", seq: 4, text: "r1" },
        { type: "reasoning", seq: 5, text: "r2" },
        { type: "tool_call_delta", seq: 6, index: 0, id: "call_1", name: "f", text: "" },
        { type: "tool_call_delta", seq: 7, index: 0, text: '{"x":' },
        { type: "tool_call_delta", seq: 8, index: 0, text: "1}" },
        { type: "tool_call_delta", seq: 9, index: 1, id: "call_2", name: "g", text: "{}" },
        delta(10, "d"),
        finished(11),
      ];
      for (const event of written) void sink.write(event);
      sink.close();
      const { events } = await collect(read());
      expect(events.map((e) => `${e.type}@${e.seq}`)).toEqual([
        "started@0",
        "delta@2",
        "delta@3",
        "reasoning@5",
        "tool_call_delta@8",
        "tool_call_delta@9",
        "delta@10",
        "finished@11",
      ]);
      expect(textOf(events)).toBe("abcd");
      expect(events[4]).toMatchObject({ id: "call_1", name: "f", text: '{"x":1}' });
    });

    test("should ask the producer to wait past its high-water mark, and release it once read", async () => {
      const { sink, read } = await createSink({ highWaterMark: 10 });
      await sink.write(started);
      expect(sink.write(delta(1, "12345"))).toBeUndefined();
      const wait = sink.write(delta(2, "678901"));
      expect(wait).toBeInstanceOf(Promise);
      let released = false;
      void wait!.then(() => (released = true));
      await new Promise((resolve) => setImmediate(resolve));
      expect(released).toBe(false);
      const reading = collect(read());
      await wait;
      sink.close();
      expect(textOf((await reading).events)).toBe("12345678901");
    });
  });
}

/** A wire's sink under test, made with the `onReturn` that tells when its reader went away. */
export function withReaderGone(create: (onReturn: () => void) => Omit<SinkUnderTest, "readerGone">): SinkUnderTest {
  let gone: () => void = () => {};
  const readerGone = new Promise<void>((resolve) => (gone = resolve));
  return { ...create(() => gone()), readerGone };
}
