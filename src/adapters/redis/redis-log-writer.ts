import { errors } from "../../core/errors.ts";
import type { StreamLogWriter } from "../../core/stream-log.ts";
import type { TokenwireError } from "../../core/tokenwire-error.ts";
import { endId, endMarkerJson, eventId } from "./log-entry.ts";
import type { RedisClient } from "./redis-clients.ts";
import type { StreamKeys } from "./stream-keys.ts";

/** What a stream's writer needs from its log. @internal */
export interface WriterContext {
  redis: RedisClient;
  keys: StreamKeys;
  retentionMs: number;
  heartbeatMs: number;
  graceMs: number;
  /** True while a reader in this process follows the stream. */
  readLocally(): boolean;
}

/** A stream's writer as its log drives it. @internal */
export interface RedisLogWriter extends StreamLogWriter {
  /** Marks the producer alive, keeps the keys from expiring, and looks for a stop request and for readers. */
  beat(now: number): void;
  /** Stops the producer here, for a stop request that reached this process. */
  stopHere(): void;
  /** Sends what is pending now rather than at the end of this turn. */
  flushNow(): void;
  /** Resolves once the end marker is written, or could not be. */
  readonly ended: Promise<void>;
}

// Events written in one turn of the event loop go out together: node-redis pipelines the commands of a
// turn, and a batch of 100 XADDs cost about 8 µs each here against about 130 µs for one awaited XADD
// (BENCHMARKS.md). Past this many events not yet acknowledged, the producer waits for Redis.
const maxUnacknowledged = 512;

const deferred = () => {
  let resolve = (): void => {};
  const promise = new Promise<void>((done) => (resolve = done));
  return { promise, resolve };
};

interface Entry {
  id: string;
  json: string;
}

/**
 * The producer's side of a stream in Redis: each event is appended under the
 * id `1-<seq>`, which Redis refuses at or below the last id (a second writer
 * cannot interleave), and announced on the stream's channel, both once per
 * turn for all the events of that turn. Closing appends the end marker, then
 * marks the stream ended, drops its heartbeat and leaves its keys to expire
 * after the retention. A Redis failure aborts `abandoned` with `unavailable`.
 * @internal
 */
export function createRedisLogWriter(context: WriterContext): RedisLogWriter {
  const { redis, keys, retentionMs, heartbeatMs, graceMs } = context;
  const stop = new AbortController();
  const abandon = new AbortController();
  const ended = deferred();
  let pending: Entry[] = [];
  let nextFlush = deferred();
  let unacknowledged = 0;
  let nextSeq = 0;
  let created = false;
  let closing = false;
  let failed = false;
  let aloneSince: number | undefined = Date.now();

  // Nothing more is appended after a failure: a later XADD that went through would leave a gap.
  const fail = (cause: unknown): void => {
    failed = true;
    abandon.abort(errors.logUnavailable(cause));
  };
  // The first XADD makes the stream's key; later ones must not make it again once it expired or Redis lost it.
  const append = ({ id, json }: Entry): Promise<unknown> => {
    if (!created) return (created = true), Promise.all([redis.xAdd(keys.events, id, { e: json }), redis.pExpire(keys.events, retentionMs)]);
    return redis.xAddNoMkStream(keys.events, id, { e: json }).then((reply) => reply ?? Promise.reject(new Error("the stream's log is gone from Redis")));
  };
  // After the end marker, in this order: a reader that finds no heartbeat finds the end marker too.
  const endCommands = (): Promise<unknown>[] => [
    redis.hSet(keys.meta, "ended", "1"),
    redis.del(keys.alive),
    redis.pExpire(keys.meta, retentionMs),
    redis.pExpire(keys.events, retentionMs),
  ];

  function flush(): void {
    if (pending.length === 0) return;
    const batch = pending;
    const flushed = nextFlush;
    [pending, nextFlush] = [[], deferred()];
    const ends = batch.at(-1)!.id === endId;
    const sent = [...batch.map(append), redis.publish(keys.tail, `[${batch.map((entry) => entry.json).join(",")}]`), ...(ends ? endCommands() : [])];
    unacknowledged += batch.length;
    void Promise.all(sent)
      .catch(fail)
      .finally(() => {
        unacknowledged -= batch.length;
        flushed.resolve();
        if (ends) ended.resolve();
      });
  }
  const add = (entry: Entry): void => {
    if (pending.push(entry) === 1) setImmediate(flush);
  };

  return {
    stopped: stop.signal,
    abandoned: abandon.signal,
    ended: ended.promise,
    write(event) {
      if (closing || failed) return;
      add({ id: eventId(event.seq), json: JSON.stringify(event) });
      nextSeq = event.seq + 1;
      if (pending.length + unacknowledged >= maxUnacknowledged) return nextFlush.promise;
    },
    close(error?: TokenwireError) {
      if (closing) return;
      closing = true;
      add({ id: endId, json: endMarkerJson(nextSeq, error) });
    },
    stopHere: () => stop.abort(errors.stopped()),
    flushNow: flush,
    beat(now) {
      if (closing) return;
      const readers = context.readLocally() ? 1 : redis.pubSubNumSub(keys.tail).then((counts) => Number(counts[keys.tail] ?? 0));
      const refreshed = [redis.set(keys.alive, "1", { PX: 3 * heartbeatMs }), redis.pExpire(keys.meta, retentionMs), redis.pExpire(keys.events, retentionMs)];
      void Promise.all([redis.hGet(keys.meta, "stop"), readers, ...refreshed]).then(([stopAsked, count]) => {
        if (stopAsked) stop.abort(errors.stopped());
        // The grace period runs from the first beat that finds no reader anywhere.
        if (count > 0) aloneSince = undefined;
        else if ((aloneSince ??= now) + graceMs <= now) abandon.abort(errors.abandoned());
      }, fail);
    },
  };
}
