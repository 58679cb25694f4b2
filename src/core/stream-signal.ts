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
 * and tells afterwards which of the two it was. Call `dispose` when the stream
 * ends, to let go of the caller's signal.
 * @internal
 */
export function createStreamSignal({ signal, timeoutMs }: StopOptions) {
  const deadline = timeoutMs === undefined ? undefined : AbortSignal.timeout(Math.max(0, timeoutMs));
  // LangChain reads and listens to this signal on every chunk. A composite from AbortSignal.any refreshes
  // from its sources on each read, which showed in the server's profiles; a plain controller's signal does not.
  const controller = new AbortController();
  const link = linkSignals(controller, [signal, deadline]);
  return {
    signal: controller.signal,
    /** Why the stream stopped, if it was stopped; else undefined. */
    stopReason(): TokenwireError | undefined {
      if (deadline?.aborted) return new TokenwireError("deadline_exceeded", "the deadline passed before the model finished");
      if (!signal?.aborted) return undefined;
      // A caller may abort with a TokenwireError (a server shutting down says unavailable).
      return signal.reason instanceof TokenwireError ? signal.reason : new TokenwireError("canceled", "the stream was canceled");
    },
    dispose: link.dispose,
  };
}

/**
 * Aborts `controller` with the reason of the first of `sources` to abort.
 * Call `dispose` when done, to let go of the sources.
 * @internal
 */
export function linkSignals(controller: AbortController, sources: readonly (AbortSignal | undefined)[]) {
  const linked = sources.filter((s): s is AbortSignal => s !== undefined);
  const abort = (event: Event): void => controller.abort((event.target as AbortSignal).reason);
  for (const source of linked) {
    if (source.aborted) controller.abort(source.reason);
    else source.addEventListener("abort", abort, { once: true });
  }
  return {
    dispose(): void {
      for (const source of linked) source.removeEventListener("abort", abort);
    },
  };
}
