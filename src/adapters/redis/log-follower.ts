import { errors } from "../../core/errors.ts";
import type { TokenEvent } from "../../core/token-event.ts";
import { ridesOut, unavailable, type Failover } from "./log-failure.ts";
import { eventId, failureOf, type EndMarker, type LogEntry } from "./log-entry.ts";
import type { RedisCommands } from "./redis-clients.ts";
import type { RedisHealth } from "./redis-health.ts";
import type { StreamKeys } from "./stream-keys.ts";
import type { TailSubscriptions } from "./tail-subscriptions.ts";

/** How {@link followLog} reads one stream. @internal */
export interface FollowOptions {
  redis: RedisCommands;
  /** Sends each command, with its deadline, and tells when Redis stops answering. */
  health: RedisHealth;
  keys: StreamKeys;
  /** Where to hear new entries; unset for a stream that has ended, which needs none. */
  subscriptions: TailSubscriptions | undefined;
  afterSeq: number;
  signal: AbortSignal | undefined;
  /** Milliseconds without news after which the reader looks at the log and the producer's heartbeat itself. */
  heartbeatMs: number;
  /** How long a lost connection (a failover) is waited out before the read fails. */
  failover: Failover;
}

// Entries read per XRANGE while catching up, and entries heard but not yet read before the reader
// reads the log again instead: what one reader holds in memory stays bounded either way.
const pageSize = 512;
const maxHeard = 1024;

type Outcome = { end: EndMarker } | "read" | "missed";

/**
 * Yields a stream's events after `afterSeq`, then its live ones, then ends
 * as the end marker says. It subscribes to the stream's channel before it
 * reads the log, so that every entry is either in what it reads or in what
 * it hears after: the catch-up and the tail meet with no gap, and what it
 * hears twice is skipped by sequence. When nothing came for `heartbeatMs`, it
 * reads the log itself (news may have been lost with a connection), and a
 * log with nothing new and no heartbeat means the producer is gone. A Redis
 * that stops answering ends the read at once; one that goes away is waited
 * for the failover's bound, and once it is back the reader reads the log again from
 * the last event it yielded: what a failover lost, its writer writes again.
 * @internal
 */
export async function* followLog(options: FollowOptions): AsyncGenerator<TokenEvent> {
  const { redis, health, keys, signal, heartbeatMs, failover } = options;
  let next = options.afterSeq + 1;
  let heard: LogEntry[] = [];
  let missed = false;
  let lastNews = Date.now();
  let wake: ((news: boolean) => void) | undefined;
  const listen = (entries: LogEntry[]): void => {
    // Past the bound, what was heard is dropped and the reader reads the log again.
    if (heard.length + entries.length > maxHeard) [heard, missed] = [[], true];
    else heard.push(...entries);
    lastNews = Date.now();
    wake?.(true);
  };
  // One timer for the whole read rather than one per wait: a reader waits once per event it hears.
  const silence = setInterval(() => Date.now() - lastNews >= heartbeatMs && wake?.(false), heartbeatMs);
  silence.unref();
  const readLog = (): Promise<LogEntry[]> =>
    health.call(() => redis.xRange(keys.events, eventId(next), "+", { COUNT: pageSize })).then((page) => (page ?? []).map((entry) => JSON.parse(String(entry.message.e)) as LogEntry));

  // A command that met a lost connection resolves undefined once Redis is back, or a heartbeat later, to be
  // tried again; past the failover bound, or for any other failure, the read ends with unavailable.
  let lostSince: number | undefined;
  async function attempt<T>(command: () => Promise<T>): Promise<T | undefined> {
    try {
      const value = await command();
      lostSince = undefined;
      return value;
    } catch (error) {
      if (!ridesOut(error, failover) || Date.now() - (lostSince ??= Date.now()) >= failover.ms) unavailable(error);
      await new Promise<void>((resolve) => {
        const timer = setTimeout(done, heartbeatMs);
        const stopListening = health.onAnswering(done);
        function done(): void {
          clearTimeout(timer);
          stopListening();
          resolve();
        }
      });
      return undefined;
    }
  }

  // Takes entries in order: what it already has is skipped; the log's own end marker is final, a heard one only when nothing is missing.
  function* take(entries: LogEntry[], fromLog: boolean): Generator<TokenEvent, Outcome> {
    for (const entry of entries) {
      if (entry.type === "end") return fromLog || entry.seq === next ? { end: entry } : "missed";
      if (entry.seq < next) continue;
      if (entry.seq > next) {
        if (fromLog) throw errors.logUnavailable(new Error(`the log has no sequence ${next}`));
        return "missed";
      }
      next++;
      yield entry;
    }
    return "read";
  }

  const unsubscribe = await options.subscriptions?.add(keys.tail, listen).catch(unavailable);
  const onAbort = (): void => wake?.(true);
  signal?.addEventListener("abort", onAbort);
  // Trouble with Redis is looked into at once, as a silence: the reader's commands then fail, or wait for a
  // failover. Once Redis is back, the log is read again: what was announced meanwhile was not heard.
  const stopWatching = health.onTrouble(() => wake?.(false));
  let returnedAt = -Infinity;
  const stopWaiting = health.onAnswering(() => {
    [missed, returnedAt] = [true, Date.now()];
    wake?.(true);
  });
  try {
    for (let catchUp = true; !signal?.aborted; ) {
      let outcome: Outcome;
      if (catchUp || missed) {
        missed = false;
        const page = await attempt(readLog);
        if (!page) {
          missed = true;
          continue;
        }
        outcome = yield* take(page, true);
        catchUp = page.length === pageSize;
      } else if (heard.length > 0) {
        const entries = heard;
        heard = [];
        outcome = yield* take(entries, false);
        catchUp = outcome === "missed";
      } else {
        if (await news()) continue;
        lastNews = Date.now();
        // Heartbeat first: a producer that ends appends its end marker before it drops its heartbeat.
        const read = await attempt(() => Promise.all([health.call(() => redis.get(keys.alive)), readLog()]));
        if (!read) {
          missed = true;
          continue;
        }
        const [alive, page] = read;
        outcome = yield* take(page, true);
        // The heartbeat holds the generation of the producer alive: a newer stream's is not this one's. After
        // trouble with Redis, the heartbeat may have lapsed with the producer alive: it has a heartbeat's
        // lifetime to beat again or write how its stream ended.
        // After a lost connection, the producer's replica may find the new master later than this one: it has the
        // failover bound to beat again.
        const calm = Date.now() - health.troubledAt >= 3 * heartbeatMs && Date.now() - returnedAt >= failover.ms;
        if (page.length === 0 && alive !== keys.generation && calm) throw errors.producerGone();
        catchUp = page.length === pageSize;
      }
      if (typeof outcome === "object") {
        const failure = failureOf(outcome.end);
        if (failure) throw failure;
        return;
      }
    }
  } finally {
    clearInterval(silence);
    signal?.removeEventListener("abort", onAbort);
    stopWatching();
    stopWaiting();
    unsubscribe?.();
  }

  // Resolves true when something was heard or the read was aborted, false after a heartbeat period of silence.
  function news(): Promise<boolean> {
    return new Promise((resolve) => {
      wake = (heard) => {
        wake = undefined;
        resolve(heard);
      };
    });
  }
}
