import { afterAll, afterEach, beforeAll, describe, expect, it, vi } from "vitest";
import { createClient } from "redis";
import { createRedisStreamLog, type RedisStreamLogOptions } from "../../../src/adapters/redis/index.ts";
import { endMarkerJson } from "../../../src/adapters/redis/log-entry.ts";
import { errors, type StreamLog, type StreamLogWriter, type TokenEvent, type TokenwireError } from "../../../src/index.ts";
import { startRedisServer, type RedisServer } from "../../fixtures/redis-server.ts";
import { collect } from "../../support/collect.ts";
import { answerMs, recordingLogger, settlesWithin, stalls } from "../../support/redis-stall.ts";
import { runStreamLogContract } from "../../support/stream-log-contract.ts";
import { textOf } from "../../support/stream-text.ts";
import { skipWithout } from "../../support/test-tiers.ts";

let redis: RedisServer;
beforeAll(async () => {
  redis = await startRedisServer();
});
afterAll(() => redis?.stop());

const started: TokenEvent = { type: "started", seq: 0, runId: "run", model: "m" };
const delta = (seq: number, text: string): TokenEvent => ({ type: "delta", seq, text });
const aborted = (signal: AbortSignal) =>
  new Promise<unknown>((resolve) => (signal.aborted ? resolve(signal.reason) : signal.addEventListener("abort", () => resolve(signal.reason), { once: true })));

// Short heartbeats, so that what waits on them (a dead producer, a lost reader) comes within the test's time.
const heartbeatMs = 100;
const logs: StreamLog[] = [];
async function openLog(options: RedisStreamLogOptions = {}): Promise<StreamLog> {
  const log = await createRedisStreamLog({ url: redis.url, heartbeatMs, ...options });
  logs.push(log);
  return log;
}
afterEach(async () => {
  await Promise.all(logs.splice(0).map((log) => log.close()));
});

// A plain client of the test's Redis, to look at the keys as Redis holds them.
const plainClient = () => createClient({ url: redis.url });
async function withClient(run: (client: ReturnType<typeof plainClient>) => Promise<void>): Promise<void> {
  const client = plainClient();
  await client.connect();
  try {
    await run(client);
  } finally {
    await client.close();
  }
}

async function writeStarted(log: StreamLog, graceMs = 60_000): Promise<{ id: string; writer: StreamLogWriter }> {
  const id = crypto.randomUUID();
  const writer = await log.create(id, { graceMs });
  await writer.write(started);
  return { id, writer };
}

describe.skipIf(skipWithout("redis"))("createRedisStreamLog()", () => {
  runStreamLogContract({ name: "the Redis log", createLog: (options) => createRedisStreamLog({ url: redis.url, heartbeatMs, ...options }) });

  describe("shared by two replicas", () => {
    it("should let a reader on one follow live what the other writes, and join it mid-stream", async () => {
      const [a, b] = [await openLog(), await openLog()];
      const { id, writer } = await writeStarted(a);
      const live = collect(b.read(id, { afterSeq: -1 }));
      for (let seq = 1; seq <= 20; seq++) {
        await writer.write(delta(seq, `${seq} `));
        if (seq === 10) await vi.waitFor(async () => expect((await collect(b.read(id, { afterSeq: 9, signal: AbortSignal.timeout(50) }))).events).toHaveLength(1));
      }
      const joined = collect(b.read(id, { afterSeq: 0 }));
      writer.close();
      const expected = Array.from({ length: 20 }, (_, i) => `${i + 1} `).join("");
      expect(textOf((await live).events)).toBe(expected);
      expect((await live).events.map((e) => e.seq)).toEqual(Array.from({ length: 21 }, (_, i) => i));
      expect(textOf((await joined).events)).toBe(expected);
    });

    it("should stop a stream from the other replica", async () => {
      const [a, b] = [await openLog(), await openLog()];
      const { id, writer } = await writeStarted(a);
      expect(await b.stop(id)).toBe(true);
      expect(await aborted(writer.stopped)).toMatchObject({ code: "canceled", message: errors.stopped().message });
      writer.close();
    });

    it("should count a reader on the other replica as present, and abandon the stream once it has left for the grace period", async () => {
      const [a, b] = [await openLog(), await openLog()];
      const { id, writer } = await writeStarted(a, 200);
      const reader = new AbortController();
      const reading = collect(b.read(id, { afterSeq: -1, signal: reader.signal }));
      await new Promise((resolve) => setTimeout(resolve, 1000));
      expect(writer.abandoned.aborted).toBe(false);
      reader.abort();
      expect((await reading).events).toEqual([started]);
      expect(await aborted(writer.abandoned)).toMatchObject({ message: errors.abandoned().message });
      writer.close(errors.abandoned());
    });

    it("should end the other replica's readers with unavailable when the producer dies, and keep the text so far readable", async () => {
      const a = await createRedisStreamLog({ url: redis.url, heartbeatMs });
      const b = await openLog();
      const { id, writer } = await writeStarted(a);
      await writer.write(delta(1, "so far"));
      const live = collect(b.read(id, { afterSeq: -1 }));
      await vi.waitFor(async () => expect((await collect(b.read(id, { afterSeq: 0, signal: AbortSignal.timeout(50) }))).events).toHaveLength(1));
      // The producer's process ends without ending its stream: no end marker, and its heartbeat stops.
      await a.close();
      const gone = { code: "unavailable", message: errors.producerGone().message };
      expect((await live).error).toMatchObject(gone);
      expect(textOf((await live).events)).toBe("so far");
      const later = await collect(b.read(id, { afterSeq: -1 }));
      expect(textOf(later.events)).toBe("so far");
      expect(later.error).toMatchObject(gone);
    });

    it("should let a new stream take the id of one whose producer died, once its heartbeat is gone", async () => {
      const a = await createRedisStreamLog({ url: redis.url, heartbeatMs });
      const b = await openLog();
      const { id } = await writeStarted(a);
      await expect(b.create(id, { graceMs: 60_000 })).rejects.toMatchObject({ code: errors.streamExists().code });
      await a.close();
      const writer = await vi.waitFor(() => b.create(id, { graceMs: 60_000 }), { timeout: 5000, interval: 50 });
      await writer.write(started);
      await writer.write(delta(1, "new"));
      writer.close();
      expect(textOf((await collect(b.read(id, { afterSeq: -1 }))).events)).toBe("new");
    });
  });

  describe("a stream replaced under its id", () => {
    // Longer than one page of the reader's catch-up, so that the replacement lands between its pages.
    async function writeEnded(writer: StreamLogWriter, text: string, count: number): Promise<void> {
      await writer.write(started);
      for (let seq = 1; seq <= count; seq++) await writer.write(delta(seq, text));
      writer.close();
    }

    it("should let a reader paging through the ended stream read it to its end, and never the new one's events", async () => {
      const [a, b] = [await openLog(), await openLog()];
      const id = crypto.randomUUID();
      await writeEnded(await a.create(id, { graceMs: 60_000 }), "o", 600);
      await vi.waitFor(async () => expect((await collect(b.read(id, { afterSeq: 599 }))).events).toHaveLength(1));
      const reader = b.read(id, { afterSeq: -1 })[Symbol.asyncIterator]();
      const first = await reader.next();
      const replacing = await a.create(id, { graceMs: 60_000 });
      await writeEnded(replacing, "n", 700);
      await vi.waitFor(async () => expect((await collect(b.read(id, { afterSeq: 699 }))).events).toHaveLength(1));
      const rest: TokenEvent[] = [];
      for (let next = await reader.next(); !next.done; next = await reader.next()) rest.push(next.value);
      expect(first.value).toEqual(started);
      expect(rest.map((event) => event.seq)).toEqual(Array.from({ length: 600 }, (_, i) => i + 1));
      expect(textOf(rest)).toBe("o".repeat(600));
      expect(textOf((await collect(b.read(id, { afterSeq: -1 }))).events)).toBe("n".repeat(700));
    });
  });

  describe("Redis itself", () => {
    it("should refuse to start when Redis cannot be reached", async () => {
      const down = await startRedisServer();
      await down.stop();
      await expect(createRedisStreamLog({ url: down.url })).rejects.toThrow(/ECONNREFUSED/);
    });

    it("should end live streams with unavailable when Redis goes away, refuse new ones, and serve again once it is back", async () => {
      const own = await startRedisServer();
      try {
        const log = await openLog({ url: own.url });
        const { id, writer } = await writeStarted(log);
        const live = collect(log.read(id, { afterSeq: -1 }));
        await own.kill();
        expect(await aborted(writer.abandoned)).toMatchObject({ code: "unavailable", message: errors.logUnavailable(undefined).message });
        writer.close(errors.logUnavailable(undefined));
        expect((await live).error).toMatchObject({ code: "unavailable" });
        await expect(log.create(crypto.randomUUID(), { graceMs: 60_000 })).rejects.toMatchObject({ code: "unavailable" });
        await expect(collect(log.read(id, { afterSeq: -1 }))).resolves.toMatchObject({ error: { code: "unavailable" } });
        await own.restart();
        const again = await vi.waitFor(() => writeStarted(log), { timeout: 10_000, interval: 100 });
        await again.writer.write(delta(1, "back"));
        // Stop requests reach this log again: its subscriber is back on the stop channel.
        const other = await openLog({ url: own.url });
        expect(await other.stop(again.id)).toBe(true);
        await aborted(again.writer.stopped);
        again.writer.close();
        expect(textOf((await collect(log.read(again.id, { afterSeq: -1 }))).events)).toBe("back");
      } finally {
        await own.stop();
      }
    });

    it("should keep every key of a stream expiring: within the retention while live, and after it ends", () =>
      withClient(async (client) => {
        const log = await openLog({ retentionMs: 60_000, keyPrefix: "bounded:" });
        const { id, writer } = await writeStarted(log);
        await vi.waitFor(async () => expect(await client.keys(`bounded:{${id}}:*`)).toHaveLength(3));
        const ttls = async () => Promise.all((await client.keys(`bounded:{${id}}:*`)).sort().map(async (key) => [key.split(":").at(-1), await client.pTTL(key)]));
        for (const [, ttl] of await ttls()) expect(ttl).toBeGreaterThan(0), expect(ttl).toBeLessThanOrEqual(60_000);
        writer.close();
        await vi.waitFor(async () => expect((await ttls()).map(([name]) => name)).toEqual(["events", "meta"]));
        for (const [, ttl] of await ttls()) expect(ttl).toBeGreaterThan(0), expect(ttl).toBeLessThanOrEqual(60_000);
      }));

    it("should delete every key of an ended stream, and of one whose producer died, and none of another id", () =>
      withClient(async (client) => {
        const producer = await createRedisStreamLog({ url: redis.url, heartbeatMs, keyPrefix: "deleted:" });
        const log = await openLog({ keyPrefix: "deleted:" });
        const [ended, died, kept] = [await writeStarted(log), await writeStarted(producer), await writeStarted(log)];
        ended.writer.close();
        kept.writer.close();
        await producer.close();
        const keysOf = (id: string) => client.keys(`deleted:{${id}}:*`);
        await vi.waitFor(async () => expect(await keysOf(ended.id)).toHaveLength(2));
        expect(await log.delete(ended.id)).toBe(true);
        expect(await keysOf(ended.id)).toEqual([]);
        // A dead producer's heartbeat lapses: its stream is then as good as ended.
        await vi.waitFor(async () => expect(await log.delete(died.id)).toBe(true), { timeout: 5000, interval: 50 });
        expect(await keysOf(died.id)).toEqual([]);
        expect(await keysOf(kept.id)).toHaveLength(2);
        expect(textOf((await collect(log.read(kept.id, { afterSeq: -1 }))).events)).toBe("");
      }));

    it("should refuse a second writer's events under sequences already written, and end its stream with unavailable", () =>
      withClient(async (client) => {
        const log = await openLog();
        const { id, writer } = await writeStarted(log);
        await vi.waitFor(async () => expect(await client.xLen(`tokenwire:{${id}}:1:events`)).toBe(1));
        await client.xAdd(`tokenwire:{${id}}:1:events`, "1-5", { e: JSON.stringify(delta(5, "intruder")) });
        await writer.write(delta(1, "mine"));
        expect(await aborted(writer.abandoned)).toMatchObject({ code: "unavailable" });
      }));
  });
  describe.each(stalls)("a Redis %s", (_, stall) => {
    const unanswered = { code: "unavailable", message: errors.logUnanswered(answerMs).message };

    it("should end a live stream and its reader with unavailable within the bound, refuse what is new at once, say so once, and serve again once it answers", async () => {
      const own = await startRedisServer();
      const logger = recordingLogger();
      try {
        const log = await openLog({ url: own.url, answerMs, logger });
        const { id, writer } = await writeStarted(log);
        await writer.write(delta(1, "so far"));
        const reader = log.read(id, { afterSeq: -1 })[Symbol.asyncIterator]();
        while ((await reader.next()).value?.type !== "delta");
        const stalled = await stall(own);
        try {
          expect(await settlesWithin(aborted(writer.abandoned))).toMatchObject(unanswered);
          // The generation ends with what aborted it, as the core closes its sink.
          writer.close(writer.abandoned.reason as TokenwireError);
          await expect(settlesWithin(reader.next())).rejects.toMatchObject(unanswered);
          await expect(settlesWithin(log.create(crypto.randomUUID(), { graceMs: 60_000 }))).rejects.toMatchObject(unanswered);
          await expect(settlesWithin(log.stop(id))).rejects.toMatchObject(unanswered);
          await expect(settlesWithin(collect(log.read(id, { afterSeq: -1 })))).resolves.toMatchObject({ error: unanswered });
        } finally {
          await stalled.end();
        }
        await vi.waitFor(() => expect(logger.lines.filter((line) => line.redis === "answering")).toHaveLength(1));
        expect(logger.lines.filter((line) => line.redis === "unanswered")).toEqual([expect.objectContaining({ level: "warn", msg: expect.stringMatching(new RegExp(`^Redis has not answered for ${answerMs} ms: `)) })]);
        // A reader that comes later reads what was kept, then how the stream really ended: Redis, not its producer.
        const later = await collect(log.read(id, { afterSeq: -1 }));
        expect(textOf(later.events)).toBe("so far");
        expect(later.error).toMatchObject(unanswered);
        const again = await writeStarted(log);
        await again.writer.write(delta(1, "back"));
        again.writer.close();
        expect(textOf((await collect(log.read(again.id, { afterSeq: -1 }))).events)).toBe("back");
      } finally {
        await own.stop();
      }
    });
  });

  describe("a Redis that stalled for less than its bound", () => {
    it("should not take a producer for dead when its heartbeat lapsed during the stall, and read how its stream ended", async () => {
      const own = await startRedisServer();
      try {
        // The reader's bound is longer than the stall: it never takes Redis for silent, only for late.
        const [a, b] = [await createRedisStreamLog({ url: own.url, heartbeatMs }), await openLog({ url: own.url, heartbeatMs, answerMs: 20 * heartbeatMs })];
        const { id } = await writeStarted(a);
        const reader = b.read(id, { afterSeq: -1 })[Symbol.asyncIterator]();
        expect((await reader.next()).value).toEqual(started);
        const next = reader.next();
        // The producer stops beating, and its heartbeat (three beats long) lapses while Redis is paused for six.
        await a.close();
        own.pause();
        await new Promise((resolve) => setTimeout(resolve, 6 * heartbeatMs));
        own.resume();
        // Its end comes after the stall, as a producer that failed with the stall writes it once Redis answers.
        const failure = errors.logUnanswered(answerMs);
        const client = createClient({ url: own.url });
        await client.connect();
        await client.xAdd(`tokenwire:{${id}}:1:events`, "2-0", { e: endMarkerJson(1, failure) });
        client.destroy();
        await expect(next).rejects.toMatchObject({ code: failure.code, message: failure.message });
      } finally {
        await own.stop();
      }
    });
  });

  // What a failover that lost acknowledged appends leaves: a log that ends before what its writer saw land. Here the
  // last entries are deleted from under a live stream, on one server, which the failover tests do for real.
  describe("a log that lost entries it had taken", () => {
    async function shortenedUnderWriter(options: RedisStreamLogOptions) {
      const log = await openLog(options);
      const { id, writer } = await writeStarted(log);
      for (let seq = 1; seq <= 5; seq++) await writer.write(delta(seq, `t${seq} `));
      await vi.waitFor(() => withClient(async (client) => expect(await eventsOf(client, id)).toHaveLength(6)));
      await withClient(async (client) => {
        const [key] = await client.keys(`*{${id}}:*:events`);
        const entries = await eventsOf(client, id);
        await client.xDel(key!, entries.slice(3).map((entry) => entry.id));
        // A new master never had the lost entries: its stream's last id is the last entry it holds.
        await client.sendCommand(["XSETID", key!, entries[2]!.id]);
      });
      await writer.write(delta(6, "t6 "));
      return { log, id, writer };
    }
    const eventsOf = async (client: ReturnType<typeof plainClient>, id: string) => (await client.xRange((await client.keys(`*{${id}}:*:events`))[0]!, "-", "+")) ?? [];

    it("should write the lost events again, in order and once, where a failover is waited out", async () => {
      const { log, id, writer } = await shortenedUnderWriter({ failoverMs: 5000 });
      writer.close();
      const { events, error } = await collect(log.read(id, { afterSeq: -1 }));
      expect(error).toBeUndefined();
      expect(events.map((event) => event.seq)).toEqual([0, 1, 2, 3, 4, 5, 6]);
      expect(textOf(events)).toBe("t1 t2 t3 t4 t5 t6 ");
    });

    it("should end the stream unavailable, with no gap, on one Redis that does not wait for failovers", async () => {
      const { log, id, writer } = await shortenedUnderWriter({ failoverMs: 0 });
      expect(await aborted(writer.abandoned)).toMatchObject({ code: "unavailable", reason: "logLost" });
      writer.close(writer.abandoned.reason as TokenwireError);
      const { events, error } = await collect(log.read(id, { afterSeq: -1 }));
      expect(events.map((event) => event.seq)).toEqual([0, 1, 2]);
      expect(error).toMatchObject({ code: "unavailable" });
    });
  });

  describe("a Redis out of memory", () => {
    it("should end a stream whose writes it refuses with its own error, tell the readers following it, and log Redis's words", () =>
      withClient(async (client) => {
        const logger = recordingLogger();
        const log = await openLog({ logger });
        const { id, writer } = await writeStarted(log);
        await writer.write(delta(1, "so far"));
        const reader = log.read(id, { afterSeq: -1 })[Symbol.asyncIterator]();
        while ((await reader.next()).value?.type !== "delta");
        await client.configSet("maxmemory", "1");
        try {
          await writer.write(delta(2, "refused"));
          const outOfMemory = { code: "unavailable", message: errors.logOutOfMemory(undefined).message };
          expect(await aborted(writer.abandoned)).toMatchObject(outOfMemory);
          writer.close(writer.abandoned.reason as TokenwireError);
          await expect(reader.next()).rejects.toMatchObject(outOfMemory);
          expect(logger.lines).toContainEqual(expect.objectContaining({ redis: "refused", streamId: id, cause: { message: expect.stringMatching(/^OOM command not allowed/) } }));
        } finally {
          await client.configSet("maxmemory", "0");
        }
      }));
  });
});
