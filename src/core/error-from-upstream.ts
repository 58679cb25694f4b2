import type { Code } from "./code.ts";
import { TokenwireError } from "./tokenwire-error.ts";

/**
 * Maps what a model call throws to a {@link TokenwireError}. Messages are
 * written here, never copied from the upstream: an upstream's own message can
 * carry part of a key or a URL with credentials. The original stays as `cause`.
 *
 * Each branch names the test in `test/core/producer.test.ts` that proves it.
 * @internal
 */
export function errorFromUpstream(reason: unknown): TokenwireError {
  const status = httpStatusOf(reason);
  if (status !== undefined) {
    const [code, message] = fromHttpStatus(status);
    return new TokenwireError(code, `${message} (upstream HTTP ${status})`, { cause: reason });
  }
  const [code, message] = fromErrorShape(reason);
  return new TokenwireError(code, message, { cause: reason });
}

function fromHttpStatus(status: number): [Code, string] {
  // "maps upstream 400 to invalid_argument"
  if (status === 400 || status === 413 || status === 422) return ["invalid_argument", "the model rejected the request"];
  // "maps upstream 401 to unauthenticated"
  if (status === 401 || status === 403) return ["unauthenticated", "the model rejected the server's credentials"];
  if (status === 404) return ["not_found", "the model was not found upstream"];
  if (status === 408) return ["deadline_exceeded", "the model timed out"];
  // "maps upstream 429 to resource_exhausted"
  if (status === 429) return ["resource_exhausted", "the model is rate limited"];
  // "maps upstream 500 to unavailable"
  if (status >= 500) return ["unavailable", "the model is unavailable"];
  return ["internal", "the model call failed"];
}

function fromErrorShape(reason: unknown): [Code, string] {
  const name = reason instanceof Error ? reason.name : "";
  const message = reason instanceof Error ? reason.message : "";
  // "should end a stream that stalls past its deadline": AbortSignal.timeout() or LangChain's wrapped timeout.
  if (name === "TimeoutError") return ["deadline_exceeded", "the deadline passed before the model finished"];
  if (name === "AbortError" || message === "AbortError" || message === "Aborted") return ["canceled", "the stream was canceled"];
  // "should map upstream reset-after-3 to unavailable": the OpenAI client's connection error, or undici's
  // `TypeError: terminated` when a body is cut, with the socket's code somewhere down the cause chain.
  if (causeChain(reason).some(isConnectionFailure)) return ["unavailable", "the connection to the model failed"];
  return ["internal", "internal error"];
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
