import { errors } from "../../core/errors.ts";
import type { StreamLogWriter } from "../../core/stream-log.ts";
import type { TokenwireError } from "../../core/tokenwire-error.ts";
import { appendBatch } from "./append-script.ts";
import { logFailure, ridesOut, throughFailover, type Failover } from "./log-failure.ts";
import { createKeptEvents, type Entry } from "./kept-events.ts";
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
  /** How long a lost connection (a failover) is waited out before the stream fails. */
  failover: Failover;
  /** How long the writer watches its connection after its end landed, where a failover is waited out. */
  endWatchMs: number;
  /** True while a reader in this process follows the stream. */
  readLocally(): boolean;
  /** Counts the subscriber's reconnections: a stop published while it was away must be read from the metadata. */
  subscriberEpoch(): number;
  /** Told why the stream failed when Redis refused one of its commands (out of memory, read-only). */
  refused(cause: unknown): void;
  /** Told that the log ended at `lastSeq` where the writer knew it at `fence`: Redis lost what it had acknowledged, written again. */
  repaired(lost: { lastSeq: number; fence: number }): void;
}

/** A stream's writer as its log drives it. @internal */
export interface RedisLogWriter extends StreamLogWriter {
  /** Marks the producer alive, keeps the keys from expiring, and looks for a stop request and for readers. */
  beat(now: number): void;
  /** Stops the producer here, for a stop request that reached this process. */
  stopHere(): void;
  /** Ends the stream here with `unavailable`, or, for a lost connection, waits up to the failover bound for Redis to be back. */
  trouble(cause: unknown): void;
  /** Goes on after Redis is back, from where the log really ends. */
  resume(now: number): void;
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

/**
 * The producer's side of a stream in Redis: each event is appended under the
 * id `1-<seq>`, which Redis refuses at or below the last id (a second writer
 * cannot interleave), and announced on the stream's channel, in batches of
 * what was written in one turn or while the batch before was in flight. Closing appends the end marker, then
 * marks the stream ended, drops its heartbeat and leaves its keys to expire
 * after the retention. Each batch is fenced by the last sequence the log is
 * known to hold: a log that ends earlier, after a failover lost what the old
 * master acknowledged, first gets again what it lacks, from the events the
 * writer keeps. A lost connection is waited out for the failover bound; past it, or
 * on any other failure, `abandoned` aborts with `unavailable`, and the end
 * marker says so, after every event written, as soon as Redis takes it.
 * @internal
 */
export function createRedisLogWriter(context: WriterContext): RedisLogWriter {
  const { link, keys, retentionMs, heartbeatMs, graceMs, failover, endWatchMs } = context;
  const { commands: redis, health, channels } = link;
  const { sharded } = channels;
  const stop = new AbortController();
  const abandon = new AbortController();
  const ended = deferred();
  // The events not yet in Redis; where a failover is waited out (a cluster, Sentinel), every event of the stream,
  // to write again what a failover took: about 80 bytes a token (BENCHMARKS.md). Without, a log found shorter
  // than what it acknowledged ends the stream `unavailable`, and the events in Redis are not kept here.
  const written = createKeptEvents();
  const keepsWritten = failover.ms > 0;
  let pending: Entry[] = [];
  let nextFlush = deferred();
  let nextSeq = 0;
  // The last sequence the log is known to hold: each batch's fence.
  let landedSeq = -1;
  // Set while a batch went unanswered: it may have landed, and is sent again with what is there skipped.
  let retry = false;
  // Since when Redis has been lost to this stream, and whether its batches wait for it.
  let lostSince: number | undefined;
  let lostCause: unknown;
  let waiting = false;
  let closing = false;
  let failure: TokenwireError | undefined;
  let aloneSince: number | undefined = Date.now();

  const fail = (cause: unknown): void => {
    if (failure) return;
    failure = logFailure(cause);
    context.refused(cause);
    pending = [];
    nextFlush.resolve();
    abandon.abort(failure);
    if (closing) void endAfterFailure(failure);
  };
  const trouble = (cause: unknown): void => {
    if (failure) return;
    if (!ridesOut(cause, failover) || Date.now() - (lostSince ??= Date.now()) >= failover.ms) return fail(cause);
    [waiting, lostCause] = [true, cause];
  };
  // Tried again with each beat and once Redis is back, until the failover bound: on a cluster, Redis is lost while
  // any node is, and this stream's may well answer.
  const resume = (now: number): void => {
    if (!waiting || failure) return;
    if (now - lostSince! >= failover.ms) return fail(lostCause);
    waiting = false;
    beat(now);
    flush();
  };
  // The end marker says how the stream failed, after every event written: a reader who comes back reads the whole
  // generation, then why it ended. The producer is not kept waiting: it goes once Redis answers (again). Refused
  // even then (out of memory), the end is at least announced to the readers following live, after what the log
  // holds, which they take when they have every event before it.
  async function endAfterFailure(failure: TokenwireError): Promise<void> {
    ended.resolve();
    await inFlight;
    if (!health.answering) await new Promise<void>((resolve) => {
      const stopListening = health.onAnswering(() => (stopListening(), resolve()));
    });
    retry = true;
    const rest = written.between(landedSeq);
    await append([...rest, { id: endId, json: endMarkerJson(nextSeq, failure) }], true)
      .catch(() => health.call(() => channels.publish(keys.tail, `[${endMarkerJson(landedSeq + 1, failure)}]`)))
      .catch(() => {});
  }
  // Appends entries after the fence. A log that ends before it gets what it lacks first, with the same sequences,
  // so that no reader finds a gap and none reads an event twice (each skips what it has).
  async function append(entries: Entry[], end: boolean): Promise<void> {
    let [batch, fence] = [entries, landedSeq];
    for (;;) {
      const lastSeq = await health.call(() => appendBatch(link.send, { keys, entries: batch, fence, retry, end, retentionMs, sharded }));
      if (lastSeq === undefined) break;
      if (!keepsWritten) throw errors.logLost(fence - lastSeq);
      context.repaired({ lastSeq, fence });
      batch = [...written.between(lastSeq, fence), ...entries];
      fence = lastSeq;
    }
    [retry, lostSince] = [false, undefined];
    landedSeq = entries.findLast((entry) => entry.seq !== undefined)?.seq ?? landedSeq;
    if (!keepsWritten) written.dropThrough(landedSeq);
  }
  // Replication is asynchronous: the end a master acknowledged reaches its replica a moment later, and a failover in
  // that moment takes it, with what came just before, and leaves no writer to write it again. So the writer watches
  // its connection for a while after its end: lost in that while, the end goes again, fenced (the log gets first what
  // it lacks), on each beat until Redis takes it or the failover bound passes.
  function watchAfterEnd(end: Entry): void {
    const stopWatching = health.onTrouble(() => {
      stopWatching();
      clearTimeout(timer);
      void endAgain(end);
    });
    const timer = setTimeout(stopWatching, endWatchMs);
    timer.unref();
  }
  async function endAgain(end: Entry): Promise<void> {
    retry = true;
    await throughFailover(() => append([end], true), { failover, beatMs: heartbeatMs }).catch(() => {});
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

  function beat(now: number): void {
    if (closing || failure) return;
    const { stopAsked, readers, refreshed } = beatCommands(now);
    void Promise.all([stopAsked, readers, refreshed]).then(([stopFlag, count]) => {
      if (stopFlag) stop.abort(errors.stopped());
      // The grace period runs from the first beat that finds no reader anywhere.
      if (count > 0) aloneSince = undefined;
      else if ((aloneSince ??= now) + graceMs <= now) abandon.abort(errors.abandoned());
    }, trouble);
  }

  // One batch in flight at a time: what is written meanwhile goes out in the next one, once this one is
  // in. Batches then land in order whatever happens to one of them (a script Redis has to be sent again).
  // A batch that met a lost connection goes back in front of what waits, for when Redis is back.
  let inFlight: Promise<void> | undefined;
  function flush(): void {
    if (inFlight || waiting || failure || pending.length === 0) return;
    const batch = pending;
    const flushed = nextFlush;
    [pending, nextFlush, inFlight] = [[], deferred(), flushed.promise];
    const end = batch.at(-1)!.id === endId ? batch.at(-1) : undefined;
    const done = (): void => {
      inFlight = undefined;
      flushed.resolve();
      if (end) ended.resolve();
    };
    void append(batch, end !== undefined).then(
      () => {
        done();
        if (end && keepsWritten) watchAfterEnd(end);
        flush();
      },
      (cause: unknown) => {
        retry = true;
        trouble(cause);
        if (failure) return done();
        const later = nextFlush;
        [pending, nextFlush, inFlight] = [[...batch, ...pending], flushed, undefined];
        void flushed.promise.then(later.resolve);
      },
    );
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
      const entry = { id: eventId(event.seq), json: JSON.stringify(event), seq: event.seq };
      written.keep(entry.seq, entry.json);
      add(entry);
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
    trouble,
    resume,
    flushed() {
      if (failure || pending.length === 0) return (!failure && inFlight) || Promise.resolve();
      const { promise } = nextFlush;
      flush();
      return promise;
    },
    beat: (now) => (waiting ? resume(now) : beat(now)),
  };
}
