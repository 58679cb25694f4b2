import type { AdmissionRecord } from "./admission.ts";
import type { Logger } from "./logger.ts";
import type { StreamSummary } from "./run-stream.ts";
import { logStreamEnd } from "./stream-log-line.ts";
import type { CallContext, StreamKind, StreamObserver } from "./tokenwire-options.ts";

/** One stream as the service follows it: counted while open, observed, and logged once when it ends. @internal */
export interface TrackedStream {
  readonly record: AdmissionRecord;
  /** Runs the stream's start inside every observer's `run`, so that a context made current there follows the model call. */
  within(start: () => void): void;
  /** Ends the stream's count, writes its one log line and tells the observers; later calls do nothing. */
  end(summary: StreamSummary): void;
}

/** A summary of a stream that ended before it began: refused, or failed to start. @internal */
export function refusedSummary(error: StreamSummary["error"]): StreamSummary {
  return { runId: undefined, tokens: 0, timeToFirstTokenMs: undefined, durationMs: 0, usage: undefined, finishReason: undefined, error };
}

/**
 * Follows a service's streams: how many are open, and when none is. A reader
 * replays what its generation reported, so its line and its observers get no
 * usage: usage summed from the log counts every generation once.
 * @internal
 */
export function createStreamTracker({ logger, observers }: { logger: Logger; observers: readonly StreamObserver[] }) {
  let open = 0;
  const idle = new Set<() => void>();
  return {
    get open() {
      return open;
    },
    track(context: CallContext, kind: StreamKind): TrackedStream {
      const record: AdmissionRecord = { model: "", caller: undefined };
      const observations = observers.map((observe) => observe({ context, kind })).filter((o) => o !== undefined);
      open++;
      let ended = false;
      return {
        record,
        within: (start) => observations.reduce((run, o) => (o.run ? () => o.run!(run) : run), start)(),
        end(summary) {
          if (ended) return;
          ended = true;
          const outcome = { summary: kind === "read" ? { ...summary, usage: undefined } : summary, ...record };
          logStreamEnd(logger, { context, kind, ...outcome });
          for (const observation of observations) observation.end?.(outcome);
          if (--open === 0) for (const wake of idle) wake();
        },
      };
    },
    /** Resolves once no stream is open, or after `timeoutMs`. */
    untilIdle(timeoutMs = Infinity): Promise<void> {
      if (open === 0) return Promise.resolve();
      return new Promise((resolve) => {
        const done = (): void => {
          idle.delete(done);
          clearTimeout(timer);
          resolve();
        };
        const timer = Number.isFinite(timeoutMs) ? setTimeout(done, timeoutMs) : undefined;
        idle.add(done);
      });
    },
  };
}
