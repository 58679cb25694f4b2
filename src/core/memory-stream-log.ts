import { errors } from "./errors.ts";
import type { CreateStreamOptions, ReadStreamOptions, StreamLog, StreamLogWriter } from "./stream-log.ts";
import type { TokenEvent } from "./token-event.ts";
import type { TokenwireError } from "./tokenwire-error.ts";

/** Options of {@link createMemoryStreamLog}. */
export interface MemoryStreamLogOptions {
  /** Milliseconds a stream stays readable after it ended; default 10 minutes. */
  retentionMs?: number;
  /**
   * Bytes of ended streams kept at most, as estimated by {@link retainedBytesOf}:
   * past it, the streams that ended first are forgotten before their retention
   * ends, so that memory stays bounded whatever the traffic. Default 128 MiB.
   */
  maxRetainedBytes?: number;
}

interface LoggedStream {
  owner: string | undefined;
  events: TokenEvent[];
  ended: boolean;
  failure: TokenwireError | undefined;
  readers: number;
  wake: Set<() => void>;
  stop: AbortController;
  abandon: AbortController;
  graceMs: number;
  graceTimer: ReturnType<typeof setTimeout> | undefined;
  /** Gone from the log: its retention ended, it was pushed out or deleted, or a new stream took its id. */
  forgotten: boolean;
  /** What it counts against `maxRetainedBytes` once ended. */
  bytes: number;
}

/**
 * What an ended stream's events hold, roughly: 100 bytes an event (the
 * object and its fields, as measured in BENCHMARKS.md) and its text, and the
 * JSON of a started event's note, which may hold a whole conversation.
 * @internal
 */
export function retainedBytesOf(events: readonly TokenEvent[]): number {
  let bytes = 0;
  for (const event of events) {
    bytes += 100 + ("text" in event ? event.text.length : 0);
    if (event.type === "started" && event.note !== undefined) bytes += JSON.stringify(event.note).length;
  }
  return bytes;
}

/**
 * A {@link StreamLog} in this process's memory: nothing to install, and what
 * `npm start` uses unless a shared log is configured. Each stream costs its
 * events until its retention ends, or until the ended streams pass
 * `maxRetainedBytes` and it is among the first that ended.
 */
export function createMemoryStreamLog(options: MemoryStreamLogOptions = {}): StreamLog {
  const retentionMs = options.retentionMs ?? 10 * 60_000;
  const maxRetainedBytes = options.maxRetainedBytes ?? 128 * 1024 * 1024;
  const streams = new Map<string, LoggedStream>();
  // Ended streams in the order they ended, and their bytes together.
  const retained = new Map<LoggedStream, string>();
  let retainedBytes = 0;
  const timers = new Set<ReturnType<typeof setTimeout>>();

  const later = (ms: number, run: () => void) => {
    const timer = setTimeout(() => (timers.delete(timer), run()), ms);
    timer.unref?.();
    timers.add(timer);
    return timer;
  };
  const waitForReaders = (stream: LoggedStream): void => {
    if (stream.ended || stream.readers > 0 || stream.graceTimer) return;
    stream.graceTimer = later(stream.graceMs, () => stream.abandon.abort(errors.abandoned()));
  };
  const forget = (stream: LoggedStream, streamId: string): void => {
    if (stream.forgotten) return;
    stream.forgotten = true;
    retained.delete(stream);
    retainedBytes -= stream.bytes;
    // The id may name a newer stream by then.
    if (streams.get(streamId) === stream) streams.delete(streamId);
  };
  const end = (streamId: string, stream: LoggedStream, failure?: TokenwireError): void => {
    stream.ended = true;
    stream.failure = failure;
    clearTimeout(stream.graceTimer);
    for (const wake of stream.wake) wake();
    stream.bytes = retainedBytesOf(stream.events);
    retained.set(stream, streamId);
    retainedBytes += stream.bytes;
    for (const [oldest, id] of retained) {
      if (retainedBytes <= maxRetainedBytes) break;
      forget(oldest, id);
    }
    later(retentionMs, () => forget(stream, streamId));
  };
  const find = (streamId: string, caller: string | undefined): LoggedStream => {
    const stream = streams.get(streamId);
    // Another caller's stream reads as unknown: its existence is not theirs to learn.
    if (!stream || (stream.owner !== undefined && stream.owner !== caller)) throw errors.streamNotFound();
    return stream;
  };

  return {
    async create(streamId: string, { owner, graceMs }: CreateStreamOptions): Promise<StreamLogWriter> {
      const previous = streams.get(streamId);
      if (previous && !(previous.ended && previous.owner === owner)) throw errors.streamExists();
      if (previous) forget(previous, streamId);
      const stream: LoggedStream = {
        ...{ owner, events: [], ended: false, failure: undefined, readers: 0, wake: new Set<() => void>() },
        ...{ stop: new AbortController(), abandon: new AbortController(), graceMs, graceTimer: undefined, forgotten: false, bytes: 0 },
      };
      streams.set(streamId, stream);
      waitForReaders(stream);
      return {
        stopped: stream.stop.signal,
        abandoned: stream.abandon.signal,
        write(event) {
          if (stream.ended) return;
          stream.events.push(event);
          for (const wake of stream.wake) wake();
        },
        close: (error) => void (stream.ended || end(streamId, stream, error)),
      };
    },
    read(streamId: string, { afterSeq, caller, signal, onlyLive }: ReadStreamOptions): AsyncIterable<TokenEvent> {
      const stream = find(streamId, caller);
      if (onlyLive && stream.ended) throw errors.streamNotFound();
      if (afterSeq >= stream.events.length) throw errors.sequenceBeyondEnd(afterSeq, stream.events.length - 1);
      return follow(stream, { afterSeq, signal, left: () => waitForReaders(stream) });
    },
    async stop(streamId: string, caller?: string): Promise<boolean> {
      const stream = find(streamId, caller);
      if (stream.ended) return false;
      stream.stop.abort(errors.stopped());
      return true;
    },
    async delete(streamId: string, caller?: string): Promise<boolean> {
      const stream = find(streamId, caller);
      if (!stream.ended) return false;
      forget(stream, streamId);
      return true;
    },
    async close() {
      for (const timer of timers) clearTimeout(timer);
      streams.clear();
      retained.clear();
      retainedBytes = 0;
    },
  };
}

// Yields the stream's events after `afterSeq` as they come; counts as a reader while it runs.
async function* follow(stream: LoggedStream, { afterSeq, signal, left }: { afterSeq: number; signal?: AbortSignal; left: () => void }): AsyncGenerator<TokenEvent> {
  stream.readers++;
  clearTimeout(stream.graceTimer);
  stream.graceTimer = undefined;
  let wake: (() => void) | undefined;
  const onAbort = (): void => wake?.();
  signal?.addEventListener("abort", onAbort);
  try {
    for (let next = afterSeq + 1; !signal?.aborted; ) {
      while (next < stream.events.length) yield stream.events[next++]!;
      if (stream.ended) {
        if (stream.failure) throw stream.failure;
        return;
      }
      await new Promise<void>((resolve) => {
        wake = resolve;
        stream.wake.add(resolve);
      });
      stream.wake.delete(wake!);
    }
  } finally {
    signal?.removeEventListener("abort", onAbort);
    stream.readers--;
    left();
  }
}
