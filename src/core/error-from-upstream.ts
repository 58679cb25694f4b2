import { causeChain, httpStatusOf, isConnectionFailure } from "./error-causes.ts";
import { errors } from "./errors.ts";
import { TokenwireError } from "./tokenwire-error.ts";

/**
 * Maps what a model call throws to a {@link TokenwireError}. Messages come from
 * the catalogue, never from the upstream: an upstream's own message can carry
 * part of a key or a URL with credentials. The original stays as `cause`.
 *
 * Each branch names the test in `test/core/` that proves it.
 * @internal
 */
export function errorFromUpstream(reason: unknown): TokenwireError {
  // A check of tokenwire's own inside the model client (the event-stream check) arrives wrapped by that client.
  const own = causeChain(reason).find((link) => link instanceof TokenwireError);
  if (own) return own as TokenwireError;
  // "maps upstream 400 to invalid_argument", "… 401 to unauthenticated", "… 429 to resource_exhausted", "… 500 to unavailable"
  // The status of the error itself only: a status further down is an inner call's, not the model's answer.
  const status = httpStatusOf(reason, 1);
  if (status !== undefined) return errors.upstreamStatus(status, reason);
  const name = reason instanceof Error ? reason.name : "";
  const message = reason instanceof Error ? reason.message : "";
  // "should end a stream that stalls past its deadline": AbortSignal.timeout() or LangChain's wrapped timeout.
  if (name === "TimeoutError") return errors.deadlineExceeded();
  if (name === "AbortError" || message === "AbortError" || message === "Aborted") return errors.canceled();
  // "should map upstream reset-after-3 to unavailable": the OpenAI client's connection error, or undici's
  // `TypeError: terminated` when a body is cut, with the socket's code somewhere down the cause chain.
  if (isConnectionFailure(reason)) return errors.upstreamConnection(reason);
  // "should map an error event mid-stream to unavailable": the OpenAI client throws an APIError with no status
  // for an `error` object in the event stream, the model server's own failure after its answer began.
  if (reason instanceof Error && reason.constructor.name === "APIError") return errors.upstreamErrorEvent(reason);
  return errors.upstreamFailed(reason);
}
