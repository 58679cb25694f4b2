import { errors } from "../../core/errors.ts";
import type { TokenwireError } from "../../core/tokenwire-error.ts";
import { isAllowedOrigin, type CorsOptions } from "../cors-headers.ts";
import { httpStatuses } from "../http-statuses.ts";

/** A failure as an HTTP route answers it: the error, its status and the headers that go with it. */
export interface HttpFailure {
  error: TokenwireError;
  status: number;
  headers: Record<string, string>;
}

/** What {@link refusalOf} reads of a request: its headers, and the host it was sent to. */
export interface GuardedRequest {
  headers: Headers;
  /** The request's `Host` (HTTP/1.1) or `:authority` (HTTP/2). */
  host: string | undefined;
}

/**
 * Refuses, before its body is read, a request to a route that takes JSON and
 * spends or stops: one a page of another origin sent, unless the CORS
 * options allow that origin (403), and one whose body is not
 * `application/json` (415). A page may send a form or a `text/plain` or
 * `no-cors` fetch to any server without asking it first; this is what keeps
 * such a page from starting or stopping a stream through the browser of
 * someone who can reach the server.
 */
export function refusalOf(request: GuardedRequest, cors: CorsOptions | undefined): HttpFailure | undefined {
  const foreign = originRefusalOf(request, cors);
  if (foreign) return foreign;
  const contentType = request.headers.get("content-type") ?? "";
  if (!isJson(contentType)) return { error: errors.contentTypeNotTaken(contentType, "application/json"), status: 415, headers: {} };
  return undefined;
}

/** Refuses with 403 a request that a page of another origin sent, unless the CORS options allow it: a route that stops or spends with no body. */
export function originRefusalOf(request: GuardedRequest, cors: CorsOptions | undefined): HttpFailure | undefined {
  const origin = foreignOrigin(request);
  return origin !== undefined && !isAllowedOrigin(origin, cors) ? { error: errors.crossOrigin(origin), status: httpStatuses.permission_denied, headers: {} } : undefined;
}

// The origin of the page that sent the request when it is not the server's own. Browsers say where a request comes
// from with Sec-Fetch-Site; one too old to send it is read from Origin against Host. A request with neither is no
// page's: a client that sends what it likes could send the right headers anyway.
function foreignOrigin({ headers, host }: GuardedRequest): string | undefined {
  const origin = headers.get("origin");
  const site = headers.get("sec-fetch-site");
  if (site === "same-origin" || site === "none") return undefined;
  if (site === "same-site" || site === "cross-site") return origin ?? "null";
  if (origin === null) return undefined;
  return hostOf(origin) === host?.toLowerCase() ? undefined : origin;
}

function hostOf(origin: string): string | undefined {
  try {
    return new URL(origin).host;
  } catch {
    return undefined; // `null`, from a sandboxed frame or a file: no origin of the server's
  }
}

// `application/json`, with a charset of UTF-8 at most: JSON is UTF-8 (RFC 8259), and every other type is one a page
// may send cross-origin without a preflight (a form, text/plain) or one this route would read wrong.
function isJson(contentType: string): boolean {
  const [type = "", ...parameters] = contentType.split(";");
  if (type.trim().toLowerCase() !== "application/json") return false;
  return parameters.every((parameter) => parameter.trim() === "" || /^\s*charset\s*=\s*"?utf-?8"?\s*$/i.test(parameter));
}
