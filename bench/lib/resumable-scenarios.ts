import { createClient as createRpcClient } from "@connectrpc/connect";
import { createGrpcTransport } from "@connectrpc/connect-node";
import { createClient } from "redis";
import { TokenService } from "../../gen/tokenwire/v1/token_service_pb.js";
import { createRedisStreamLog, type RedisLocation } from "../../src/adapters/redis/index.ts";
import { createMemoryStreamLog } from "../../src/core/memory-stream-log.ts";
import type { StreamLog } from "../../src/core/stream-log.ts";
import type { TokenEvent } from "../../src/core/token-event.ts";
import { createTokenwire, type Tokenwire } from "../../src/core/tokenwire.ts";
import { createTokenwireServer, type TokenwireServer } from "../../src/server/create-tokenwire-server.ts";
import { nowMs } from "./clock.ts";
import { numberedModel, numberedResolver } from "./numbered-resolver.ts";
import { percentile, summarize } from "./stats.ts";
import { createTokenCheck } from "./token-check.ts";

/** How much of each resumable scenario to run; `--quick` scales these down. */
export interface ResumableConfig {
  /** Streams read one at a time, and tokens in each, for the cost per token. */
  costStreams: number;
  costTokens: number;
  /** Reconnects timed. */
  resumes: number;
  /** Resumable streams at once through one Redis, each dropped and resumed on the other replica. */
  concurrency: number;
  /** Ended streams kept for the memory figure, and tokens in each. */
  retained: number;
  retainedTokens: number;
}

/** The kinds of stream compared: a plain one, and resumable ones on each log. */
export type Kind = "plain" | "memory" | "redis";

const request = (model: string) => ({ prompt: "hi", model });
const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));
const textOf = (event: TokenEvent) => ("text" in event && event.type === "delta" ? event.text : "");

/**
 * A Redis the bench measures: where tokenwire reaches it (one server, or a
 * cluster's seeds), and its own CPU and memory figures, summed over every
 * server (a cluster's replicas included: replication is part of the cost).
 */
export function redisProbe(location: RedisLocation, urls: string[]) {
  const clients = urls.map((url) => createClient({ url }));
  const sum = async (read: (client: (typeof clients)[number]) => Promise<number>) => (await Promise.all(clients.map(read))).reduce((a, b) => a + b, 0);
  const info = async (client: (typeof clients)[number], section: string, field: string) => Number(new RegExp(`${field}:([\\d.]+)`).exec(await client.info(section))?.[1]);
  return {
    location,
    connect: () => Promise.all(clients.map((client) => client.connect())),
    close: () => Promise.all(clients.map((client) => client.close())),
    cpuSeconds: () => sum(async (client) => (await info(client, "cpu", "used_cpu_user")) + (await info(client, "cpu", "used_cpu_sys"))),
    usedMemory: () => sum((client) => info(client, "memory", "used_memory")),
    // A cluster's replicas refuse it, and take their masters' flush.
    flush: () => Promise.all(clients.map((client) => client.flushAll().catch(() => undefined))),
    /** Runs a command on the first server: the fence's own cost is measured there. */
    send: (args: string[]) => clients[0]!.sendCommand(args),
  };
}
export type RedisProbe = ReturnType<typeof redisProbe>;

async function logFor(kind: Kind, redis: RedisProbe): Promise<StreamLog | undefined> {
  if (kind === "plain") return undefined;
  return kind === "memory" ? createMemoryStreamLog() : createRedisStreamLog(redis.location);
}

// Reads a stream in process to its end; false if a numbered token came twice, out of order, or not at all.
async function readNumbered(events: AsyncIterable<TokenEvent>, tokens: number): Promise<boolean> {
  const check = createTokenCheck(false);
  for await (const event of events) check.feed(textOf(event), 0);
  const tally = check.finish();
  return tally.inOrder && tally.tokens === tokens;
}

/**
 * CPU per token of one stream at a time, as fast as the source yields, read
 * in process: this process's (the server's) and, for Redis, Redis's own.
 */
export async function costPerToken(kind: Kind, { redis, config }: { redis: RedisProbe; config: ResumableConfig }) {
  const log = await logFor(kind, redis);
  const tokenwire = createTokenwire({ resolve: numberedResolver, streams: { log } });
  const perToken: number[] = [];
  let broken = 0;
  const redisBefore = await redis.cpuSeconds();
  for (let i = 0; i < config.costStreams; i++) {
    const before = process.cpuUsage();
    const events = tokenwire.streamTokens(request(numberedModel(config.costTokens, 0)), { resumable: kind !== "plain" });
    if (!(await readNumbered(events, config.costTokens).catch(() => false))) broken++;
    const used = process.cpuUsage(before);
    perToken.push((used.user + used.system) / config.costTokens);
  }
  const redisUs = kind === "redis" ? ((await redis.cpuSeconds()) - redisBefore) * 1e6 / (config.costStreams * config.costTokens) : undefined;
  await log?.close();
  return { serverUsPerToken: percentile(perToken, 0.5), redisUsPerToken: redisUs, broken };
}

async function startServer(log: StreamLog): Promise<{ server: TokenwireServer; client: ReturnType<typeof createRpcClient<typeof TokenService>> }> {
  const server = createTokenwireServer({ resolve: numberedResolver, streams: { log, graceMs: 10_000 } });
  const { port } = await server.listen(0, "127.0.0.1");
  return { server, client: createRpcClient(TokenService, createGrpcTransport({ baseUrl: `http://127.0.0.1:${port}` })) };
}

/**
 * From a reconnect to its first event, over gRPC: a client reads a paced
 * stream on one server, drops after five deltas, and calls ResumeStream on
 * the other (Redis) or the same (memory) server; then reads on to the end and
 * checks that the two parts make the whole.
 */
export async function resumeLatency(kind: "memory" | "redis", { redis, config }: { redis: RedisProbe; config: ResumableConfig }) {
  const logs = kind === "memory" ? [createMemoryStreamLog()] : [await createRedisStreamLog(redis.location), await createRedisStreamLog(redis.location)];
  const servers = await Promise.all(logs.map(startServer));
  const [a, b] = [servers[0]!, servers.at(-1)!];
  const times: number[] = [];
  let broken = 0;
  try {
    for (let i = 0; i < config.resumes; i++) {
      const tokens = 100;
      const check = createTokenCheck(false);
      const dropped = new AbortController();
      let streamId = "";
      let last = 0n;
      let deltas = 0;
      try {
        for await (const r of a.client.streamTokens({ generation: { input: { case: "prompt", value: "hi" }, model: numberedModel(tokens, 2) }, resumable: true }, { signal: dropped.signal })) {
          if (r.event.case === "started") streamId = r.event.value.streamId;
          if (r.event.case === "delta") check.feed(r.event.value.text, 0), deltas++;
          last = r.sequence;
          if (deltas === 5) dropped.abort();
        }
      } catch {
        // the drop
      }
      await sleep(10);
      const reconnectedAt = nowMs();
      let first: number | undefined;
      for await (const r of b.client.resumeStream({ streamId, afterSequence: last })) {
        first ??= nowMs() - reconnectedAt;
        if (r.event.case === "delta") check.feed(r.event.value.text, 0);
      }
      times.push(first ?? Number.NaN);
      const tally = check.finish();
      if (!tally.inOrder || tally.tokens !== tokens) broken++;
    }
  } finally {
    for (const { server } of servers) await server.shutdown(100);
    for (const log of logs) await log.close();
  }
  return { ...summarize(times), broken };
}

/**
 * Many streams at once, in process, 40 tokens each at 10 a second, started
 * evenly over 2 s: this process's CPU per token (and Redis's), and whether
 * every stream came out whole, each numbered token once and in order. A
 * resumable stream's client drops after the 20th token and resumes on
 * replica B (for Redis, another log with its own connections; in memory, the
 * same process) from the last sequence it had.
 */
export async function concurrentStreams(kind: Kind, { redis, config }: { redis: RedisProbe; config: ResumableConfig }) {
  const logs = kind === "redis" ? [await createRedisStreamLog(redis.location), await createRedisStreamLog(redis.location)] : [await logFor(kind, redis)];
  const limits = { maxConcurrentStreams: 4 * config.concurrency };
  const [a, b] = logs.map((log) => createTokenwire({ resolve: numberedResolver, limits, streams: { log, graceMs: 30_000 } }));
  const tokens = 40;
  const startedAt = nowMs();
  const cpuBefore = process.cpuUsage();
  const redisBefore = await redis.cpuSeconds();
  const outcomes = await Promise.all(
    Array.from({ length: config.concurrency }, async (_, k) => {
      await sleep((k * 2000) / config.concurrency);
      return kind === "plain" ? readNumbered(a!.streamTokens(request(numberedModel(tokens, 100))), tokens) : dropAndResume({ a: a!, b: b ?? a!, tokens });
    }).map((outcome) => outcome.catch(() => false)),
  );
  const cpu = process.cpuUsage(cpuBefore);
  const seconds = (nowMs() - startedAt) / 1000;
  const result = {
    streams: config.concurrency,
    tokensPerSecond: (config.concurrency * tokens) / seconds,
    whole: outcomes.filter(Boolean).length,
    broken: outcomes.filter((ok) => !ok).length,
    seconds,
    serverUsPerToken: (cpu.user + cpu.system) / (config.concurrency * tokens),
    redisUsPerToken: kind === "redis" ? (((await redis.cpuSeconds()) - redisBefore) * 1e6) / (config.concurrency * tokens) : undefined,
  };
  await Promise.all(logs.map((log) => log?.close()));
  return result;
}

// 40 tokens at 10 a second; the client goes away after the 20th and resumes on replica B.
async function dropAndResume({ a, b, tokens }: { a: Tokenwire; b: Tokenwire; tokens: number }): Promise<boolean> {
  const check = createTokenCheck(false);
  let streamId = "";
  let last = -1;
  for await (const event of a.streamTokens(request(numberedModel(tokens, 100)), { resumable: true })) {
    if (event.type === "started") streamId = event.streamId ?? "";
    check.feed(textOf(event), 0);
    last = event.seq;
    if (event.seq >= tokens / 2) break;
  }
  for await (const event of b.resumeStream(streamId, last)) check.feed(textOf(event), 0);
  const tally = check.finish();
  return tally.inOrder && tally.tokens === tokens;
}

/**
 * Bytes each ended stream costs while it is retained: this process's heap
 * for the memory log, Redis's `used_memory` for the Redis log (and this
 * process's heap beside it, which should not grow with retained streams).
 */
export async function memoryPerRetained(kind: "memory" | "redis", { redis, config }: { redis: RedisProbe; config: ResumableConfig }) {
  const log = (await logFor(kind, redis))!;
  const tokenwire = createTokenwire({ resolve: numberedResolver, limits: { maxConcurrentStreams: 4 * config.retained }, streams: { log } });
  const run = async (streams: number) => {
    for (let i = 0; i < streams; i += 100) {
      const model = numberedModel(config.retainedTokens, 0);
      const reads = Array.from({ length: Math.min(100, streams - i) }, () => readNumbered(tokenwire.streamTokens(request(model), { resumable: true }), config.retainedTokens));
      await Promise.all(reads.map((read) => read.catch(() => false)));
    }
    await sleep(200); // the last end markers' writes
  };
  await redis.flush();
  await run(100); // warm-up: what the first streams allocate once is not per stream
  const heapBefore = heapAfterGc();
  const redisBefore = await redis.usedMemory();
  await run(config.retained);
  const result = {
    heapBytesPerStream: (heapAfterGc() - heapBefore) / config.retained,
    redisBytesPerStream: kind === "redis" ? ((await redis.usedMemory()) - redisBefore) / config.retained : undefined,
  };
  await log.close();
  return result;
}

// Two collections: the first may leave what finalizers free for the second.
function heapAfterGc(): number {
  (globalThis as { gc?: () => void }).gc?.();
  (globalThis as { gc?: () => void }).gc?.();
  return process.memoryUsage().heapUsed;
}

/**
 * What makes a failover lossless costs, per batch and per token: in Redis,
 * the fence, one `XREVRANGE … COUNT 1` in the append script, timed as
 * Redis's CPU for `batches` scripts that read the last entry against as many
 * that do not; in the writer, the events it keeps to write again, as the
 * heap per token that live streams of `tokens` each let go of when they end.
 */
export async function fenceCost(redis: RedisProbe, { batches, streams, tokens }: { batches: number; streams: number; tokens: number }) {
  const key = "bench:{fence}:events";
  await redis.send(["XADD", key, "1-1", "e", JSON.stringify({ type: "delta", seq: 1, text: "12345 " })]);
  const redisUs = async (script: string) => {
    const before = await redis.cpuSeconds();
    for (let i = 0; i < batches; i += 100) await Promise.all(Array.from({ length: 100 }, () => redis.send(["EVAL", script, "1", key])));
    return (((await redis.cpuSeconds()) - before) * 1e6) / batches;
  };
  await redisUs("return 1"); // warm-up: both scripts compiled and cached
  await redisUs("return redis.call('XREVRANGE', KEYS[1], '+', '-', 'COUNT', 1)[1][1]");
  const without = await redisUs("return 1");
  const withFence = await redisUs("return redis.call('XREVRANGE', KEYS[1], '+', '-', 'COUNT', 1)[1][1]");
  await redis.send(["DEL", key]);

  // What the streams let go of when they end, with writers that keep their events (a failover waited out, as on a
  // cluster or through Sentinel) against writers that keep none once Redis has them (failoverMs 0): the difference
  // is the events kept, what else a stream lets go of being the same in both.
  // Twice: what the scenarios before left lets go of itself during the first pair.
  const freed = (failoverMs: number) => heapFreedPerToken(redis, { failoverMs, streams, tokens });
  let heapBytesPerToken = 0;
  for (let pair = 0; pair < 2; pair++) heapBytesPerToken = (await freed(30_000)) - (await freed(0));
  return { redisUsPerBatch: withFence - without, heapBytesPerToken };
}

// The heap per token that `streams` live streams of `tokens` each let go of when they end (measured after the writes
// rather than against a baseline before them, which the scenarios before leave noisy).
async function heapFreedPerToken(redis: RedisProbe, { failoverMs, streams, tokens }: { failoverMs: number; streams: number; tokens: number }): Promise<number> {
  const log = await createRedisStreamLog({ ...redis.location, failoverMs });
  const writers = await Promise.all(Array.from({ length: streams }, (_, i) => log.create(`fence-${failoverMs}-${i}-${Date.now()}`, { graceMs: 60_000 })));
  for (let seq = 0; seq < tokens; seq++) await Promise.all(writers.map((writer) => writer.write({ type: "delta", seq, text: `${seq} ` })));
  await sleep(200); // the last batches' writes
  const heapWhileLive = heapAfterGc();
  for (const writer of writers.splice(0)) writer.close();
  // The end markers' writes, and the while each writer watches its connection after its end: 2 × (heartbeat + answerMs).
  await sleep(6500);
  const freed = (heapWhileLive - heapAfterGc()) / (streams * tokens);
  await log.close();
  return freed;
}
