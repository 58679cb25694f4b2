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
  const status = httpStatusOf(reason);
  if (status !== undefined) return errors.upstreamStatus(status, reason);
  const name = reason instanceof Error ? reason.name : "";
  const message = reason instanceof Error ? reason.message : "";
  // "should end a stream that stalls past its deadline": AbortSignal.timeout() or LangChain's wrapped timeout.
  if (name === "TimeoutError") return errors.deadlineExceeded();
  if (name === "AbortError" || message === "AbortError" || message === "Aborted") return errors.canceled();
  // "should map upstream reset-after-3 to unavailable": the OpenAI client's connection error, or undici's
  // `TypeError: terminated` when a body is cut, with the socket's code somewhere down the cause chain.
  if (causeChain(reason).some(isConnectionFailure)) return errors.upstreamConnection(reason);
  return errors.upstreamFailed(reason);
}

function causeChain(reason: unknown): unknown[] {
  const chain = [];
  for (let link = reason, depth = 0; link !== undefined && link !== null && depth < 5; depth++) {
    chain.push(link);
    link = (link as { cause?: unknown }).cause;
  }
  return chain;
}

function isConnectionFailure(error: unknown): boolean {
  if (!(error instanceof Error)) return false;
  if (error.constructor.name === "APIConnectionError") return true;
  if (error.name === "TypeError" && /terminated|fetch failed/.test(error.message)) return true;
  const code = (error as { code?: unknown }).code;
  return typeof code === "string" && /^(ECONNRESET|ECONNREFUSED|EPIPE|ETIMEDOUT|ENOTFOUND|UND_ERR_\w+)$/.test(code);
}

function httpStatusOf(reason: unknown): number | undefined {
  const status = (reason as { status?: unknown } | null)?.status;
  return typeof status === "number" && status >= 400 && status < 600 ? status : undefined;
}
