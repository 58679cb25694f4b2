import { describe, expect, it } from "vitest";
import { createMemoryStreamLog, type StreamLog, type TokenEvent } from "../../src/index.ts";
import { retainedBytesOf } from "../../src/core/memory-stream-log.ts";
import { collect } from "../support/collect.ts";
import { runStreamLogContract } from "../support/stream-log-contract.ts";
import { textOf } from "../support/stream-text.ts";

describe("createMemoryStreamLog()", () => {
  runStreamLogContract({ name: "the in-memory log", createLog: (options) => createMemoryStreamLog(options) });

  describe("with more ended streams than it keeps", () => {
    const eventsOf = (id: string, texts: string[], note?: unknown): TokenEvent[] => [
      { type: "started", seq: 0, runId: id, model: "m", note },
      ...texts.map((text, i): TokenEvent => ({ type: "delta", seq: i + 1, text })),
    ];
    // What a stream of these texts counts against the bound.
    const bytesOf = (texts: string[], note?: unknown) => retainedBytesOf(eventsOf("id", texts, note));
    // A stream of `texts.length` deltas after its start, written and, unless `live`, ended.
    async function writeStream(log: StreamLog, id: string, { texts, live = false, note }: { texts: string[]; live?: boolean; note?: unknown }) {
      const writer = await log.create(id, { graceMs: 60_000 });
      const events = eventsOf(id, texts, note);
      for (const event of events) await writer.write(event);
      if (!live) writer.close();
      return writer;
    }
    const readText = async (log: StreamLog, id: string) => textOf((await collect(log.read(id, { afterSeq: -1 }))).events);

    it("should forget the streams that ended first once their events pass the bound, and keep the rest", async () => {
      const log = createMemoryStreamLog({ maxRetainedBytes: 2 * bytesOf(["a1", "a2"]) });
      await writeStream(log, "a", { texts: ["a1", "a2"] });
      await writeStream(log, "b", { texts: ["b1", "b2"] });
      expect(await readText(log, "a")).toBe("a1a2");
      await writeStream(log, "c", { texts: ["c1"] });
      expect(() => log.read("a", { afterSeq: -1 })).toThrow(expect.objectContaining({ code: "not_found" }));
      expect(await readText(log, "b")).toBe("b1b2");
      expect(await readText(log, "c")).toBe("c1");
      await log.close();
    });

    it("should never forget a stream still generating, however long, nor count it before it ends", async () => {
      const log = createMemoryStreamLog({ maxRetainedBytes: 2 * bytesOf([]) });
      const writer = await writeStream(log, "live", { texts: ["l1", "l2", "l3", "l4"], live: true });
      await writeStream(log, "short", { texts: [] });
      expect(await readText(log, "short")).toBe("");
      const reader = log.read("live", { afterSeq: -1 });
      writer.close();
      expect(textOf((await collect(reader)).events)).toBe("l1l2l3l4");
      expect(() => log.read("short", { afterSeq: -1 })).toThrow(expect.objectContaining({ code: "not_found" }));
      await log.close();
    });

    it("should count what a started event's note holds, as a response's conversation", async () => {
      const note = { conversation: "x".repeat(10_000) };
      const log = createMemoryStreamLog({ maxRetainedBytes: bytesOf([], note) + bytesOf([]) });
      await writeStream(log, "small", { texts: ["s1"] });
      await writeStream(log, "noted", { texts: [], note });
      expect(() => log.read("small", { afterSeq: -1 })).toThrow(expect.objectContaining({ code: "not_found" }));
      await writeStream(log, "after", { texts: [] });
      expect(await readText(log, "noted")).toBe("");
      expect(await readText(log, "after")).toBe("");
      await log.close();
    });

    it("should serve the stream that replaced another under its id, and keep it within the bound", async () => {
      const log = createMemoryStreamLog({ maxRetainedBytes: bytesOf(["y1", "y2"]) + bytesOf([]) });
      await writeStream(log, "same", { texts: ["x1", "x2"] });
      await writeStream(log, "same", { texts: ["y1", "y2"] });
      await writeStream(log, "other", { texts: [] });
      expect(await readText(log, "same")).toBe("y1y2");
      expect(await readText(log, "other")).toBe("");
      await log.close();
    });
  });
});
