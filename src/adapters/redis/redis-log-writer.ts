import { errors } from "../../core/errors.ts";
import type { StreamLogWriter } from "../../core/stream-log.ts";
import type { TokenwireError } from "../../core/tokenwire-error.ts";
import { appendBatch } from "./append-script.ts";
import { logFailure } from "./log-failure.ts";
import { endId, endMarkerJson, eventId } from "./log-entry.ts";
import type { RedisLink } from "./redis-clients.ts";
import type { StreamKeys } from "./stream-keys.ts";

/** What a stream's writer needs from its log. @internal */
export interface WriterContext {
  link: RedisLink;
  keys: StreamKeys;
  retentionMs: number;
  heartbeatMs: number;
  graceMs: number;
  /** True while a reader in this process follows the stream. */
  readLocally(): boolean;
  /** Counts the subscriber's reconnections: a stop published while it was away must be read from the metadata. */
  subscriberEpoch(): number;
  /** Told why the stream failed when Redis refused one of its commands (out of memory, read-only). */
  refused(cause: unknown): void;
}

/** A stream's writer as its log drives it. @internal */
export interface RedisLogWriter extends StreamLogWriter {
  /** Marks the producer alive, keeps the keys from expiring, and looks for a stop request and for readers. */
  beat(now: number): void;
  /** Stops the producer here, for a stop request that reached this process. */
  stopHere(): void;
  /** Ends the stream here with `unavailable`: its Redis no longer answers, or refused a command. */
  fail(cause: unknown): void;
  /** Resolves once what was written so far is in Redis (or could not be written). */
  flushed(): Promise<void>;
  /** Resolves once the end marker is written, or could not be. */
  readonly ended: Promise<void>;
}

// Events written in one turn of the event loop, or while the batch before is in flight, go out together:
// XADDs in a batch cost about 8 µs each here against about 130 µs for one awaited XADD (BENCHMARKS.md).
// Past this many events waiting for their batch, the producer waits for Redis.
const maxPending = 512;

const deferred = () => {
  let resolve = (): void => {};
  const promise = new Promise<void>((done) => (resolve = done));
  return { promise, resolve };
};

interface Entry {
  id: string;
  json: string;
  /** The event's sequence; unset for the end marker. */
  seq?: number;
}

/**
 * The producer's side of a stream in Redis: each event is appended under the
 * id `1-<seq>`, which Redis refuses at or below the last id (a second writer
 * cannot interleave), and announced on the stream's channel, in batches of
 * what was written in one turn or while the batch before was in flight. Closing appends the end marker, then
 * marks the stream ended, drops its heartbeat and leaves its keys to expire
 * after the retention. A Redis failure aborts `abandoned` with `unavailable`,
 * and the end marker then says so as soon as Redis takes it.
 * @internal
 */
export function createRedisLogWriter(context: WriterContext): RedisLogWriter {
  const { link, keys, retentionMs, heartbeatMs, graceMs } = context;
  const { commands: redis, health, channels } = link;
  const { sharded } = channels;
  const stop = new AbortController();
  const abandon = new AbortController();
  const ended = deferred();
  let pending: Entry[] = [];
  let nextFlush = deferred();
  let nextSeq = 0;
  let landedSeq = -1;
  let created = false;
  let closing = false;
  let failure: TokenwireError | undefined;
  let aloneSince: number | undefined = Date.now();

  // Nothing more is appended after a failure, not even what waits for its batch: a later XADD that went through
  // after a lost one would leave a gap.
  const fail = (cause: unknown): void => {
    if (failure) return;
    failure = logFailure(cause);
    context.refused(cause);
    pending = [];
    nextFlush.resolve();
    abandon.abort(failure);
    if (closing) void endAfterFailure(failure);
  };
  // The end marker says how the stream failed, after the last event Redis took. The producer is not kept waiting:
  // it goes once Redis answers (again). Refused even then (out of memory), it is at least announced to the readers
  // following live, which take it when they have every event before it.
  async function endAfterFailure(failure: TokenwireError): Promise<void> {
    ended.resolve();
    await inFlight;
    if (!health.answering) await new Promise<void>((resolve) => {
      const stopListening = health.onAnswering(() => (stopListening(), resolve()));
    });
    const end = { id: endId, json: endMarkerJson(landedSeq + 1, failure) };
    await health
      .call(() => appendBatch(link.send, { keys, entries: [end], create: true, end: true, retentionMs, sharded }))
      .catch(() => health.call(() => channels.publish(keys.tail, `[${end.json}]`)))
      .catch(() => {});
  }
  // One command a beat as a rule (the heartbeat); the keys' lifetime four times a retention period; the stop
  // flag on the first beat and after the subscriber reconnected; other replicas' readers when none is here.
  let expiresRefreshedAt = Date.now();
  let stopCheckedEpoch = -1;
  function beatCommands(now: number) {
    const call = <T>(send: () => Promise<T>) => health.call(send);
    const refreshed: Promise<unknown>[] = [call(() => redis.set(keys.alive, keys.generation, { PX: 3 * heartbeatMs }))];
    if (now - expiresRefreshedAt >= retentionMs / 4) {
      expiresRefreshedAt = now;
      refreshed.push(call(() => redis.pExpire(keys.meta, retentionMs)), call(() => redis.pExpire(keys.events, retentionMs)));
    }
    const epoch = context.subscriberEpoch();
    const stopAsked = epoch === stopCheckedEpoch ? null : call(() => redis.hGet(keys.meta, "stop"));
    stopCheckedEpoch = epoch;
    const readers = context.readLocally() ? 1 : call(() => channels.readers(keys.tail));
    return { stopAsked, readers, refreshed: Promise.all(refreshed) };
  }

  // One batch in flight at a time: what is written meanwhile goes out in the next one, once this one is
  // in. Batches then land in order whatever happens to one of them (a script Redis has to be sent again).
  let inFlight: Promise<void> | undefined;
  function flush(): void {
    if (inFlight || pending.length === 0) return;
    const batch = pending;
    const flushed = nextFlush;
    [pending, nextFlush, inFlight] = [[], deferred(), flushed.promise];
    const ends = batch.at(-1)!.id === endId;
    const sent = health.call(() => appendBatch(link.send, { keys, entries: batch, create: !created, end: ends, retentionMs, sharded }));
    created = true;
    void sent
      .then(() => (landedSeq = Math.max(landedSeq, ...batch.map((entry) => entry.seq ?? -1))), fail)
      .finally(() => {
        inFlight = undefined;
        flushed.resolve();
        if (ends) ended.resolve();
        flush();
      });
  }
  const add = (entry: Entry): void => {
    if (pending.push(entry) === 1 && !inFlight) setImmediate(flush);
  };

  return {
    stopped: stop.signal,
    abandoned: abandon.signal,
    ended: ended.promise,
    write(event) {
      if (closing || failure) return;
      add({ id: eventId(event.seq), json: JSON.stringify(event), seq: event.seq });
      nextSeq = event.seq + 1;
      if (pending.length >= maxPending) return nextFlush.promise;
    },
    close(error?: TokenwireError) {
      if (closing) return;
      closing = true;
      if (failure) void endAfterFailure(failure);
      else add({ id: endId, json: endMarkerJson(nextSeq, error) });
    },
    stopHere: () => stop.abort(errors.stopped()),
    fail,
    flushed() {
      if (failure || pending.length === 0) return (!failure && inFlight) || Promise.resolve();
      const { promise } = nextFlush;
      flush();
      return promise;
    },
    beat(now) {
      if (closing || failure) return;
      const { stopAsked, readers, refreshed } = beatCommands(now);
      void Promise.all([stopAsked, readers, refreshed]).then(([stopFlag, count]) => {
        if (stopFlag) stop.abort(errors.stopped());
        // The grace period runs from the first beat that finds no reader anywhere.
        if (count > 0) aloneSince = undefined;
        else if ((aloneSince ??= now) + graceMs <= now) abandon.abort(errors.abandoned());
      }, fail);
    },
  };
}
