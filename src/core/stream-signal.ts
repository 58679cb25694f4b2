import { TokenwireError } from "./tokenwire-error.ts";

/** How a producer is told to stop: a caller's signal and a deadline. */
export interface StopOptions {
  /** Aborted when the caller cancels, disconnects or the server shuts down. */
  signal?: AbortSignal;
  /** Milliseconds the whole stream may take; unset for no deadline. */
  timeoutMs?: number;
}

/**
 * One signal per stream that aborts on the caller's signal or at the deadline,
 * and tells afterwards which of the two it was.
 * @internal
 */
export function createStreamSignal({ signal, timeoutMs }: StopOptions) {
  const deadline = timeoutMs === undefined ? undefined : AbortSignal.timeout(Math.max(0, timeoutMs));
  const signals = [signal, deadline].filter((s): s is AbortSignal => s !== undefined);
  const combined = signals.length === 1 ? signals[0]! : AbortSignal.any(signals);
  return {
    signal: combined,
    /** Why the stream stopped, if it was stopped; else undefined. */
    stopReason(): TokenwireError | undefined {
      if (deadline?.aborted) return new TokenwireError("deadline_exceeded", "the deadline passed before the model finished");
      if (!signal?.aborted) return undefined;
      // A caller may abort with a TokenwireError (a server shutting down says unavailable).
      return signal.reason instanceof TokenwireError ? signal.reason : new TokenwireError("canceled", "the stream was canceled");
    },
  };
}
