import { afterEach, describe, expect, it, vi } from "vitest";
import type { ReadStreamOptions, StreamLog, StreamLogWriter, TokenEvent } from "../../src/index.ts";
import { errors, TokenwireError } from "../../src/index.ts";
import { collect } from "./collect.ts";
import { runSinkContract } from "./sink-contract.ts";
import { textOf } from "./stream-text.ts";

/** Options of {@link runStreamLogContract}. */
export interface StreamLogContractOptions {
  name: string;
  /** A fresh log; `retentionMs` short when a test waits for a stream to expire. */
  createLog(options: { retentionMs?: number }): StreamLog | Promise<StreamLog>;
}

const started: TokenEvent = { type: "started", seq: 0, runId: "run", model: "m" };
const delta = (seq: number, text: string): TokenEvent => ({ type: "delta", seq, text });
const finished = (seq: number): TokenEvent => ({ type: "finished", seq, finishReason: "stop", usage: undefined });
const newId = () => crypto.randomUUID();
// Reads to the end; a log may refuse at once or on the first step, and both count as the read's error.
function readAll(log: StreamLog, streamId: string, options: ReadStreamOptions) {
  try {
    return collect(log.read(streamId, options));
  } catch (error) {
    return Promise.resolve({ events: [], error: error as TokenwireError });
  }
}
const codeOf = (error: unknown) => (error instanceof TokenwireError ? error.code : String(error));

// A whole stream: started, the deltas, finished.
function wholeStream(texts: string[]): TokenEvent[] {
  return [started, ...texts.map((text, i) => delta(i + 1, text)), finished(texts.length + 1)];
}

async function writeAll(writer: StreamLogWriter, events: TokenEvent[]): Promise<void> {
  for (const event of events) await writer.write(event);
}

/** Resolves once the signal is aborted, with its reason. */
function aborted(signal: AbortSignal): Promise<unknown> {
  return new Promise((resolve) => (signal.aborted ? resolve(signal.reason) : signal.addEventListener("abort", () => resolve(signal.reason), { once: true })));
}

/**
 * What every {@link StreamLog} owes tokenwire, run against one
 * implementation: the whole stream from any point, live reading to the end,
 * failures kept, owners, stop, the grace period without readers, and retention.
 */
export function runStreamLogContract({ name, createLog }: StreamLogContractOptions): void {
  const opened: StreamLog[] = [];
  const open = async (options: { retentionMs?: number } = {}) => {
    const log = await createLog(options);
    opened.push(log);
    return log;
  };
  // A log's writer is the sink a resumable stream's producer writes into: it owes the seam's contract, and keeps
  // every event for readers that come later.
  runSinkContract({
    name: `${name}'s writer`,
    slowReader: "keep",
    async createSink() {
      const log = await open();
      const streamId = newId();
      const sink = await log.create(streamId, { graceMs: 60_000 });
      return { sink, read: () => log.read(streamId, { afterSeq: -1 }) };
    },
  });
  afterEach(async () => {
    await Promise.all(opened.splice(0).map((log) => log.close()));
  });

  describe(`${name}: the StreamLog contract`, () => {
    it("should give a finished stream's events in order from the start, once each", async () => {
      const log = await open();
      const id = newId();
      const writer = await log.create(id, { graceMs: 60_000 });
      const events = wholeStream(["a", "b", "c"]);
      await writeAll(writer, events);
      writer.close();
      const { events: read, error } = await readAll(log, id, { afterSeq: -1 });
      expect(error).toBeUndefined();
      expect(read).toEqual(events);
    });

    it("should give exactly the events after the sequence a reader has", async () => {
      const log = await open();
      const id = newId();
      const writer = await log.create(id, { graceMs: 60_000 });
      await writeAll(writer, wholeStream(["a", "b", "c", "d"]));
      writer.close();
      expect((await readAll(log, id, { afterSeq: 2 })).events.map((e) => e.seq)).toEqual([3, 4, 5]);
      expect((await readAll(log, id, { afterSeq: 5 })).events).toEqual([]);
    });

    it("should follow a live stream from before its first event to its end, with no gap", async () => {
      const log = await open();
      const id = newId();
      const writer = await log.create(id, { graceMs: 60_000 });
      const reading = readAll(log, id, { afterSeq: -1 });
      const events = wholeStream(Array.from({ length: 50 }, (_, i) => `t${i} `));
      for (const event of events) {
        await writer.write(event);
        if (event.seq % 10 === 0) await new Promise((resolve) => setTimeout(resolve, 5));
      }
      writer.close();
      expect((await reading).events).toEqual(events);
    });

    it("should let a reader join mid-stream and read it whole, as the first reader does", async () => {
      const log = await open();
      const id = newId();
      const writer = await log.create(id, { graceMs: 60_000 });
      const events = wholeStream(["a", "b", "c", "d", "e", "f"]);
      const first = readAll(log, id, { afterSeq: -1 });
      await writeAll(writer, events.slice(0, 3));
      const joined = readAll(log, id, { afterSeq: 0 });
      await writeAll(writer, events.slice(3));
      writer.close();
      expect((await first).events).toEqual(events);
      expect((await joined).events).toEqual(events.slice(1));
    });

    it("should keep thousands of events written at once whole and in order", async () => {
      const log = await open();
      const id = newId();
      const writer = await log.create(id, { graceMs: 60_000 });
      const events = wholeStream(Array.from({ length: 3000 }, (_, i) => `${i},`));
      const live = readAll(log, id, { afterSeq: -1 });
      const waits = events.map((event) => writer.write(event));
      writer.close();
      await Promise.all(waits);
      for (const read of [await live, await readAll(log, id, { afterSeq: -1 })]) {
        expect(read.error).toBeUndefined();
        expect(read.events.map((e) => e.seq)).toEqual(events.map((e) => e.seq));
        expect(textOf(read.events)).toBe(textOf(events));
      }
    });

    it("should end every reader with the error the stream failed with, after the events before it", async () => {
      const log = await open();
      const id = newId();
      const writer = await log.create(id, { graceMs: 60_000 });
      const live = readAll(log, id, { afterSeq: -1 });
      await writeAll(writer, [started, delta(1, "a")]);
      writer.close(new TokenwireError("resource_exhausted", "the model is rate limited (upstream HTTP 429)"));
      for (const read of [await live, await readAll(log, id, { afterSeq: 0 })]) {
        expect(textOf(read.events)).toBe("a");
        expect(read.error).toMatchObject({ code: "resource_exhausted", message: "the model is rate limited (upstream HTTP 429)" });
      }
    });

    it("should refuse an unknown stream with not_found and a sequence beyond the last with out_of_range", async () => {
      const log = await open();
      expect(codeOf((await readAll(log, newId(), { afterSeq: -1 })).error)).toBe("not_found");
      await expect(log.stop(newId())).rejects.toMatchObject({ code: "not_found" });
      await expect(log.delete(newId())).rejects.toMatchObject({ code: "not_found" });
      const id = newId();
      const writer = await log.create(id, { graceMs: 60_000 });
      await writeAll(writer, [started, delta(1, "a")]);
      const { error } = await readAll(log, id, { afterSeq: 2 });
      expect(error).toMatchObject({ code: "out_of_range", message: errors.sequenceBeyondEnd(2, 1).message });
      writer.close();
    });

    it("should refuse a second stream under an id already taken", async () => {
      const log = await open();
      const id = newId();
      const writer = await log.create(id, { graceMs: 60_000 });
      await expect(log.create(id, { graceMs: 60_000 })).rejects.toMatchObject({ code: errors.streamExists().code });
      writer.close();
    });

    it("should start a new stream under the id of its owner's ended one, which readers then find in its place", async () => {
      const log = await open();
      const id = newId();
      const first = await log.create(id, { owner: "alice", graceMs: 60_000 });
      await writeAll(first, wholeStream(["old ", "answer"]));
      first.close();
      const second = await log.create(id, { owner: "alice", graceMs: 60_000 });
      const live = readAll(log, id, { afterSeq: -1, caller: "alice" });
      await writeAll(second, wholeStream(["new"]));
      second.close();
      for (const read of [await live, await readAll(log, id, { afterSeq: -1, caller: "alice" })]) {
        expect(read.error).toBeUndefined();
        expect(read.events).toEqual(wholeStream(["new"]));
      }
    });

    it("should refuse a new stream under an id whose stream still generates, or that another owner's ended one holds", async () => {
      const log = await open();
      const [live, ended] = [newId(), newId()];
      const writer = await log.create(live, { owner: "alice", graceMs: 60_000 });
      await writeAll(writer, [started]);
      const other = await log.create(ended, { owner: "alice", graceMs: 60_000 });
      await writeAll(other, wholeStream(["a"]));
      other.close();
      await expect(log.create(live, { owner: "alice", graceMs: 60_000 })).rejects.toMatchObject({ code: errors.streamExists().code, message: errors.streamExists().message });
      await expect(log.create(ended, { owner: "mallory", graceMs: 60_000 })).rejects.toMatchObject({ code: errors.streamExists().code });
      await writeAll(writer, [delta(1, "still mine"), finished(2)]);
      writer.close();
      expect(textOf((await readAll(log, live, { afterSeq: -1, caller: "alice" })).events)).toBe("still mine");
    });

    it("should refuse a stream that has ended to a reader that wants only live ones, and give a live one whole", async () => {
      const log = await open();
      const id = newId();
      const writer = await log.create(id, { graceMs: 60_000 });
      await writeAll(writer, [started, delta(1, "a")]);
      const live = log.read(id, { afterSeq: -1, onlyLive: true })[Symbol.asyncIterator]();
      expect((await live.next()).value).toEqual(started);
      await writeAll(writer, [delta(2, "b"), finished(3)]);
      writer.close();
      expect(textOf((await collect({ [Symbol.asyncIterator]: () => live })).events)).toBe("ab");
      expect(codeOf((await readAll(log, id, { afterSeq: -1, onlyLive: true })).error)).toBe("not_found");
      expect(textOf((await readAll(log, id, { afterSeq: -1 })).events)).toBe("ab");
    });

    it("should keep an owned stream from every other caller, as if it did not exist", async () => {
      const log = await open();
      const id = newId();
      const writer = await log.create(id, { owner: "alice", graceMs: 60_000 });
      await writeAll(writer, wholeStream(["a"]));
      writer.close();
      expect(textOf((await readAll(log, id, { afterSeq: -1, caller: "alice" })).events)).toBe("a");
      for (const caller of ["mallory", undefined]) {
        expect(codeOf((await readAll(log, id, { afterSeq: -1, caller })).error)).toBe("not_found");
        await expect(log.stop(id, caller)).rejects.toMatchObject({ code: "not_found" });
        await expect(log.delete(id, caller)).rejects.toMatchObject({ code: "not_found" });
      }
      expect(textOf((await readAll(log, id, { afterSeq: -1, caller: "alice" })).events)).toBe("a");
    });

    it("should forget an ended stream at once on a delete: its id then reads as unknown, and is free for a new stream", async () => {
      const log = await open();
      const [id, kept] = [newId(), newId()];
      for (const each of [id, kept]) {
        const writer = await log.create(each, { owner: "alice", graceMs: 60_000 });
        await writeAll(writer, wholeStream([each]));
        writer.close();
      }
      expect(await log.delete(id, "alice")).toBe(true);
      expect(codeOf((await readAll(log, id, { afterSeq: -1, caller: "alice" })).error)).toBe("not_found");
      await expect(log.stop(id, "alice")).rejects.toMatchObject({ code: "not_found" });
      await expect(log.delete(id, "alice")).rejects.toMatchObject({ code: "not_found" });
      expect(textOf((await readAll(log, kept, { afterSeq: -1, caller: "alice" })).events)).toBe(kept);
      const again = await log.create(id, { owner: "mallory", graceMs: 60_000 });
      await writeAll(again, wholeStream(["new"]));
      again.close();
      expect(textOf((await readAll(log, id, { afterSeq: -1, caller: "mallory" })).events)).toBe("new");
    });

    it("should leave a stream still generating whole on a delete, say false, and delete it once it ended", async () => {
      const log = await open();
      const id = newId();
      const writer = await log.create(id, { graceMs: 60_000 });
      const live = readAll(log, id, { afterSeq: -1 });
      await writeAll(writer, [started, delta(1, "a")]);
      expect(await log.delete(id)).toBe(false);
      expect(writer.stopped.aborted).toBe(false);
      await writeAll(writer, [delta(2, "b"), finished(3)]);
      writer.close();
      expect(textOf((await live).events)).toBe("ab");
      expect(await log.delete(id)).toBe(true);
      expect(codeOf((await readAll(log, id, { afterSeq: -1 })).error)).toBe("not_found");
    });

    it("should abort the writer's stopped signal on a stop, say true while it generates and false once it ended", async () => {
      const log = await open();
      const id = newId();
      const writer = await log.create(id, { graceMs: 60_000 });
      await writeAll(writer, [started, delta(1, "a")]);
      expect(await log.stop(id)).toBe(true);
      expect(await aborted(writer.stopped)).toMatchObject({ code: errors.stopped().code, message: errors.stopped().message });
      expect(writer.abandoned.aborted).toBe(false);
      await writer.write({ type: "finished", seq: 2, finishReason: "stopped", usage: undefined });
      writer.close();
      const { events } = await readAll(log, id, { afterSeq: -1 });
      expect(events.at(-1)).toMatchObject({ type: "finished", finishReason: "stopped" });
      expect(await log.stop(id)).toBe(false);
    });

    it("should abort abandoned once no reader has been present for the grace period, and not while one reads", async () => {
      const log = await open();
      const id = newId();
      const writer = await log.create(id, { graceMs: 200 });
      const reader = new AbortController();
      const reading = readAll(log, id, { afterSeq: -1, signal: reader.signal });
      await writer.write(started);
      // Past the grace period with a reader present: not abandoned.
      await new Promise((resolve) => setTimeout(resolve, 1500));
      expect(writer.abandoned.aborted).toBe(false);
      reader.abort();
      expect((await reading).events).toEqual([started]);
      expect(await aborted(writer.abandoned)).toMatchObject({ code: errors.abandoned().code, message: errors.abandoned().message });
      writer.close(errors.abandoned());
    });

    it("should abort abandoned when no reader ever comes", async () => {
      const log = await open();
      const writer = await log.create(newId(), { graceMs: 100 });
      expect(await aborted(writer.abandoned)).toMatchObject({ code: "canceled" });
      writer.close(errors.abandoned());
    });

    it("should forget an ended stream once its retention has passed", async () => {
      const log = await open({ retentionMs: 300 });
      const id = newId();
      const writer = await log.create(id, { graceMs: 60_000 });
      await writeAll(writer, wholeStream(["a"]));
      writer.close();
      expect(textOf((await readAll(log, id, { afterSeq: -1 })).events)).toBe("a");
      await vi.waitFor(async () => expect(codeOf((await readAll(log, id, { afterSeq: -1 })).error)).toBe("not_found"), { timeout: 5000, interval: 50 });
    });
  });
}
