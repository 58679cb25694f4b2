import { ErrorReply } from "redis";
import { errors } from "../../core/errors.ts";
import { silentLogger, type Logger } from "../../core/logger.ts";
import type { CreateStreamOptions, ReadStreamOptions, StreamLog, StreamLogWriter } from "../../core/stream-log.ts";
import type { TokenEvent } from "../../core/token-event.ts";
import { followLog } from "./log-follower.ts";
import { ridesOut, throughFailover, unavailable, type Failover } from "./log-failure.ts";
import { endId, seqOfId } from "./log-entry.ts";
import { connectRedis, targetOf, type RedisLink, type RedisLocation } from "./redis-clients.ts";
import { defaultAnswerMs } from "./redis-health.ts";
import { createStreamKeys } from "./create-script.ts";
import { deleteStreamKeys } from "./delete-script.ts";
import { createRedisLogWriter, type RedisLogWriter } from "./redis-log-writer.ts";
import { streamIdKeys, streamKeys, type StreamIdKeys, type StreamKeys } from "./stream-keys.ts";
import { createTailSubscriptions, type TailSubscriptions } from "./tail-subscriptions.ts";

/** Options of {@link createRedisStreamLog}. */
export interface RedisStreamLogOptions extends RedisLocation {
  /** Milliseconds a stream stays readable after it ended, or after its producer died; default 10 minutes. */
  retentionMs?: number;
  /** Put before every key and channel name; default `tokenwire:`. */
  keyPrefix?: string;
  /**
   * Milliseconds between a producer's heartbeats, and of silence before a
   * reader looks for itself; the readers of a dead producer learn it within
   * about four of these. Default 1,000.
   */
  heartbeatMs?: number;
  /**
   * Milliseconds Redis has to answer a command. A Redis that does not (paused,
   * asleep, behind a dead link) fails the streams in flight with
   * `unavailable` and every new one at once, until it answers again. Default 2,000.
   */
  answerMs?: number;
  /**
   * Milliseconds a stream waits for a lost Redis to be back (a failover: a
   * replica promoted in place of a master that died) before it ends with
   * `unavailable`: writers keep what they wrote, readers their place, and both
   * go on once it is back. Through Sentinel, a master that stops answering
   * is waited for too: node-redis holds commands until the Sentinels name the
   * next. Default 30,000 on a cluster and through Sentinel; 0 on one server,
   * which nothing replaces, so that its streams fail at once.
   */
  failoverMs?: number;
  /** Where a lost, silent and returning Redis, and a command it refused, are reported. */
  logger?: Logger;
}

interface Shared {
  link: RedisLink;
  logger: Logger;
  subscriptions: TailSubscriptions;
  writers: Map<string, RedisLogWriter>;
  keysOf(streamId: string, generation: string): StreamKeys;
  idKeysOf(streamId: string): StreamIdKeys;
  retentionMs: number;
  heartbeatMs: number;
  failover: Failover;
  endWatchMs: number;
  stopChannel: string;
}

// How long a stream waits for a failover by default: a cluster's default node timeout (15 s), its election, and
// the client finding the new master.
const defaultFailoverMs = 30_000;

/**
 * A {@link StreamLog} in Redis Streams, which every replica that shares the
 * Redis serves: a stream started on one is resumed, joined and stopped on
 * any. Resolves once connected; rejects when Redis cannot be reached.
 */
export async function createRedisStreamLog(options: RedisStreamLogOptions = {}): Promise<StreamLog> {
  const prefix = options.keyPrefix ?? "tokenwire:";
  const logger = options.logger ?? silentLogger;
  const heartbeatMs = options.heartbeatMs ?? 1000;
  const answerMs = options.answerMs ?? defaultAnswerMs;
  const target = targetOf(options);
  const link = await connectRedis({
    ...{ target, logger, subscriber: true },
    ...{ answerMs, probeMs: heartbeatMs, consequence: "resumable streams fail with unavailable until it answers again" },
  });
  const { health } = link;
  const shared: Shared = {
    ...{ link, logger, subscriptions: createTailSubscriptions(link.channels, health), writers: new Map() },
    keysOf: (streamId, generation) => streamKeys(prefix, streamId, generation),
    idKeysOf: (streamId) => streamIdKeys(prefix, streamId),
    retentionMs: options.retentionMs ?? 10 * 60_000,
    heartbeatMs,
    failover: { ms: options.failoverMs ?? ("url" in target ? 0 : defaultFailoverMs), silence: "sentinels" in target },
    // A master killed just after it took a stream's end has had little time to send it on; its connection's loss is
    // seen at once, its silence within a beat and the bound on an answer.
    endWatchMs: 2 * (heartbeatMs + answerMs),
    stopChannel: `${prefix}stop`,
  };
  // One channel for every stop request: each replica stops the streams it produces. A stop that arrives
  // while this connection is down is in the stream's metadata, which the next heartbeat reads.
  await health.call(() => link.listen(shared.stopChannel, (streamId) => shared.writers.get(streamId)?.stopHere())).catch(async (error: unknown) => {
    await link.close(0);
    throw error;
  });
  // Nothing waits for a Redis that stopped answering: the streams generating here end at once. A lost connection
  // may be one node of a cluster, or a failover: each stream learns from its own commands whether to wait.
  health.onTrouble((cause) => ridesOut(cause, shared.failover) || shared.writers.forEach((writer) => writer.trouble(cause)));
  health.onAnswering(() => shared.writers.forEach((writer) => writer.resume(Date.now())));
  const heartbeat = setInterval(() => {
    const now = Date.now();
    for (const writer of shared.writers.values()) writer.beat(now);
  }, shared.heartbeatMs);
  heartbeat.unref();
  return {
    create: (streamId, options) => createStream(shared, { streamId, ...options }),
    read: (streamId, options) => readStream(shared, { streamId, ...options }),
    stop: (streamId, caller) => stopStream(shared, { streamId, caller }),
    delete: (streamId, caller) => deleteStream(shared, { streamId, caller }),
    async close() {
      clearInterval(heartbeat);
      // What was written goes in first, for a second at most: a Redis that does not answer is not waited for.
      let timer: ReturnType<typeof setTimeout> | undefined;
      const second = new Promise((resolve) => (timer = setTimeout(resolve, 1000)));
      await Promise.race([Promise.allSettled([...shared.writers.values()].map((writer) => writer.flushed())), second]);
      clearTimeout(timer);
      await link.close(answerMs);
    },
  };
}

async function createStream(shared: Shared, { streamId, owner, graceMs }: CreateStreamOptions & { streamId: string }): Promise<StreamLogWriter> {
  const { link, retentionMs, heartbeatMs, failover, endWatchMs } = shared;
  // A stream this process just ended may have its end still on the way.
  await shared.writers.get(streamId)?.flushed();
  const created = { keys: shared.idKeysOf(streamId), ownerJson: JSON.stringify({ owner }), retentionMs, aliveMs: 3 * heartbeatMs };
  const generation = await link.health.call(() => createStreamKeys(link.send, created)).catch(unavailable);
  if (generation === undefined) throw errors.streamExists();
  const keys = shared.keysOf(streamId, generation);
  const writer = createRedisLogWriter({
    ...{ link, keys, retentionMs, heartbeatMs, graceMs, failover, endWatchMs },
    ...{ readLocally: () => shared.subscriptions.has(keys.tail), subscriberEpoch: link.listenerEpoch },
    refused: (cause) => reportRefusal(shared.logger, streamId, cause),
    repaired: ({ lastSeq, fence }) => reportRepair(shared.logger, streamId, { lastSeq, fence }),
  });
  shared.writers.set(streamId, writer);
  // The id may name a newer stream of this process by then.
  void writer.ended.then(() => shared.writers.get(streamId) === writer && shared.writers.delete(streamId));
  return writer;
}

// A read, a stop or a delete begun during a failover waits it out, as the streams under way do.
function askThroughFailover<T>(shared: Shared, send: () => Promise<T>, signal?: AbortSignal): Promise<T> {
  return throughFailover(() => shared.link.health.call(send), { failover: shared.failover, beatMs: shared.heartbeatMs, signal });
}

async function* readStream(shared: Shared, { streamId, afterSeq, caller, signal, onlyLive }: ReadStreamOptions & { streamId: string }): AsyncGenerator<TokenEvent> {
  const { commands: redis, health } = shared.link;
  const { heartbeatMs, failover } = shared;
  // What this process wrote is read back.
  await shared.writers.get(streamId)?.flushed();
  const ask = <T>(send: () => Promise<T>) => askThroughFailover(shared, send, signal).catch(unavailable);
  const meta = await ask(() => redis.hGetAll(shared.idKeysOf(streamId).meta));
  checkCaller(meta, caller);
  // The reader keeps to this generation's log: a stream that replaces it under the id writes another.
  const keys = shared.keysOf(streamId, meta.generation!);
  const last = await ask(() => redis.xRevRange(keys.events, `(${endId}`, "-", { COUNT: 1 }));
  if (onlyLive && meta.ended) throw errors.streamNotFound();
  const lastSeq = seqOfId(last?.[0]?.id);
  // Just after a failover, a live stream's log may lack what its writer is writing again: a reader who had it waits.
  const repairing = !meta.ended && Date.now() - health.troubledAt < failover.ms;
  if (afterSeq > lastSeq && !repairing) throw errors.sequenceBeyondEnd(afterSeq, lastSeq);
  // An ended stream is all in the log: nothing to hear.
  yield* followLog({ redis, health, keys, subscriptions: meta.ended ? undefined : shared.subscriptions, afterSeq, signal, heartbeatMs, failover });
}

async function stopStream(shared: Shared, { streamId, caller }: { streamId: string; caller: string | undefined }): Promise<boolean> {
  const { commands: redis } = shared.link;
  const keys = shared.idKeysOf(streamId);
  const ask = <T>(send: () => Promise<T>) => askThroughFailover(shared, send);
  const [meta, alive] = await Promise.all([ask(() => redis.hGetAll(keys.meta)), ask(() => redis.get(keys.alive))]).catch(unavailable);
  checkCaller(meta, caller);
  if (meta.ended || alive !== meta.generation) return false;
  shared.writers.get(streamId)?.stopHere();
  // The flag outlives a replica that missed the message; the message saves waiting for its heartbeat.
  await Promise.all([ask(() => redis.hSet(keys.meta, "stop", "1")), ask(() => redis.publish(shared.stopChannel, streamId))]).catch(unavailable);
  return true;
}

// A stream that a new one replaced under its id between the read and the delete: the new one is the id's now.
async function deleteStream(shared: Shared, { streamId, caller }: { streamId: string; caller: string | undefined }): Promise<boolean> {
  const { link } = shared;
  const ask = <T>(send: () => Promise<T>) => askThroughFailover(shared, send).catch(unavailable);
  const meta = await ask(() => link.commands.hGetAll(shared.idKeysOf(streamId).meta));
  checkCaller(meta, caller);
  const outcome = await ask(() => deleteStreamKeys(link.send, shared.keysOf(streamId, meta.generation!)));
  if (outcome === "replaced") return deleteStream(shared, { streamId, caller });
  return outcome === "deleted";
}

// Another caller's stream reads as unknown: its existence is not theirs to learn.
function checkCaller(meta: Record<string, string>, caller: string | undefined): void {
  if (meta.owner === undefined) throw errors.streamNotFound();
  const { owner } = JSON.parse(meta.owner) as { owner?: string };
  if (owner !== undefined && owner !== caller) throw errors.streamNotFound();
}

// Acknowledged appends that a failover lost: written again, but a sign that the replicas lag.
function reportRepair(logger: Logger, streamId: string, { lastSeq, fence }: { lastSeq: number; fence: number }): void {
  const fields = { redis: "repaired", streamId, lost: fence - lastSeq, lastSeq };
  logger.warn(fields, `Redis had lost ${fence - lastSeq} acknowledged events of stream ${streamId} (a failover): written again`);
}

// Redis's own words for what it refused (`OOM command not allowed…`), which the stream's error only names.
function reportRefusal(logger: Logger, streamId: string, cause: unknown): void {
  if (cause instanceof ErrorReply) logger.warn({ redis: "refused", streamId, cause: { message: cause.message } }, `Redis refused a command of stream ${streamId}: ${cause.message}`);
}
