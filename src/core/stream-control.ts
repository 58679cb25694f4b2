import { armDeadline } from "./deadline.ts";
import { errors } from "./errors.ts";
import { TokenwireError } from "./tokenwire-error.ts";

/** How a stream is told to stop from outside: the caller's signal and a deadline. */
export interface StopOptions {
  /** Aborted when the caller cancels or disconnects; a TokenwireError reason (a server shutting down) is kept. */
  signal?: AbortSignal;
  /** Milliseconds the whole stream may take; unset, or longer than a timer holds, for no deadline. */
  timeoutMs?: number;
}

/** The one abort signal of a stream, and why it was aborted. */
export interface StreamControl {
  readonly signal: AbortSignal;
  /** Stops the stream as the caller would (the reader went away). */
  abort(reason?: TokenwireError): void;
  /** Why the stream was stopped, or undefined while it has not been. */
  stopReason(): TokenwireError | undefined;
  /** Lets go of the followed signals and the deadline's timer. */
  dispose(): void;
}

/**
 * Creates a stream's one abort signal, which follows every `signals` source
 * and the deadline. LangChain reads and listens to this signal on every
 * chunk: a plain controller's signal costs less there than a composite from
 * `AbortSignal.any`, which refreshes from its sources on each read.
 */
export function createStreamControl(options: { signals?: readonly (AbortSignal | undefined)[]; timeoutMs?: number }): StreamControl {
  const controller = new AbortController();
  const sources = (options.signals ?? []).filter((s): s is AbortSignal => s !== undefined);
  const follow = (event: Event): void => controller.abort(reasonOf((event.target as AbortSignal).reason));
  for (const source of sources) {
    if (source.aborted) controller.abort(reasonOf(source.reason));
    else source.addEventListener("abort", follow, { once: true });
  }
  const disarm = controller.signal.aborted ? () => {} : armDeadline(options.timeoutMs, () => controller.abort(errors.deadlineExceeded()));
  return {
    signal: controller.signal,
    abort: (reason) => controller.abort(reason ?? errors.canceled()),
    stopReason: () => (controller.signal.aborted ? (controller.signal.reason as TokenwireError) : undefined),
    dispose() {
      disarm();
      for (const source of sources) source.removeEventListener("abort", follow);
    },
  };
}

// A caller may abort with a TokenwireError (a server shutting down says unavailable, an adapter's deadline
// says deadline_exceeded); any other reason is the caller going away.
function reasonOf(reason: unknown): TokenwireError {
  return reason instanceof TokenwireError ? reason : errors.canceled();
}
