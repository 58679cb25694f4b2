import { TokenwireError } from "./tokenwire-error.ts";

const error = (code: TokenwireError["code"], message: string, cause?: unknown) => new TokenwireError(code, message, { cause });

/**
 * Every error tokenwire raises, by name: its code and the words a client sees,
 * in one place. Each carries its entry's name as its `reason`, which code
 * compares instead of a message. Messages avoid `;`, `:` and `,`, which grpc-js shows
 * percent-encoded (README, Interoperability).
 */
export const errors = named({
  canceled: () => error("canceled", "the stream was canceled"),
  deadlineExceeded: () => error("deadline_exceeded", "the deadline passed before the model finished"),
  invalidRequest: (problem: string) => error("invalid_argument", problem),
  modelNotOffered: (model: string, offered: readonly string[]) =>
    error("not_found", `model "${clip(model)}" is not offered here (choose ${clip(offered.slice(0, 8).join(" or "))})`),
  toolsNotTaken: () => error("invalid_argument", "this server's model does not take the request's tools: send the request without them"),
  templateNotOffered: (template: string) => error("not_found", `prompt template "${clip(template)}" is not offered here`),
  tooManyStreams: (limit: number) => error("resource_exhausted", `the server is at its limit of ${limit} streams`),
  refusedByAuthenticate: (cause: unknown) => error("unauthenticated", "the call was not authenticated", cause),
  apiKeyMissing: () => error("unauthenticated", "this server needs an API key (send the header authorization as Bearer and the key)"),
  apiKeyUnknown: () => error("unauthenticated", "the API key is not known here"),
  callerOverLimit: (limit: string, retryAfterMs: number) =>
    new TokenwireError("resource_exhausted", `this API key is over its limit of ${limit} (retry in ${Math.max(1, Math.ceil(retryAfterMs / 1000))} s)`, { retryAfterMs }),
  // A replica that drains is one of several: another one answers at once.
  shuttingDown: () => new TokenwireError("unavailable", "the server is shutting down", { retryAfterMs: 1000 }),
  contentTypeNotTaken: (contentType: string, taken: string) =>
    error("invalid_argument", `${contentType ? `the content type ${clip(contentType)}` : "a request with no content type"} is not one this route takes (send ${taken})`),
  requestTooLarge: (maxBytes: number) =>
    error("resource_exhausted", `the request is larger than this server's read limit of ${maxBytes} bytes (TOKENWIRE_READ_MAX_BYTES)`),
  jsonTooDeep: (maxDepth: number) => error("invalid_argument", `the request body nests JSON deeper than ${maxDepth} levels`),
  crossOrigin: (origin: string) =>
    error("permission_denied", `pages of ${clip(origin)} may not call this server (list the origin in TOKENWIRE_CORS_ORIGINS to allow it)`),
  noRoute: (method: string, path: string) => error("not_found", `there is no ${clip(method, 16)} ${clip(path)} here`),
  streamNotFound: () => error("not_found", "no such stream here (it may have expired)"),
  previousResponseNotFound: (id: string) => error("not_found", `no response ${clip(id)} here to follow (it may have expired or have been made with store false)`),
  itemNotFound: (id: string) =>
    error("not_found", `no item ${clip(id)} here to refer to (its response may have expired or have been made with store false - send the item itself)`),
  streamExists: () => error("invalid_argument", "the stream id is taken by a stream still generating or by another caller"),
  sequenceBeyondEnd: (after: number, last: number) => error("out_of_range", `the stream has no sequence ${after} (its last so far is ${last})`),
  stopped: () => error("canceled", "the stream was stopped"),
  abandoned: () => error("canceled", "no reader came back within the grace period"),
  producerGone: () => error("unavailable", "the server that was generating this stream stopped before it ended"),
  logUnavailable: (cause: unknown) => error("unavailable", "the stream log is unavailable", cause),
  logUnanswered: (ms: number, cause?: unknown) => error("unavailable", `the stream log in Redis did not answer within ${ms} ms`, cause),
  logOutOfMemory: (cause: unknown) => error("unavailable", "the stream log in Redis is out of memory", cause),
  logLost: (count: number) => error("unavailable", `the stream log in Redis lost ${count} events it had taken (a failover), and nothing here can write them again`),
  noFinishReason: () => error("unavailable", "the model's stream ended without a finish reason"),
  notTokens: (what: string) =>
    error("internal", `the runnable's output is not text or a message (it gave ${what}) so it cannot be streamed`),
  upstreamStatus: (status: number, cause: unknown) => {
    const [code, words] = upstreamStatusWords(status);
    return error(code, `${words} (upstream HTTP ${status})`, cause);
  },
  upstreamNotStream: (contentType: string) =>
    error("unavailable", `the model server answered with ${contentType.includes("html") ? "an HTML page" : contentType || "no content type"} and not an event stream`),
  upstreamNoChunks: () => error("unavailable", "the model server's reply held no chunk of a stream"),
  upstreamIdle: (ms: number) => error("unavailable", `the model sent nothing for ${ms < 1000 ? `${ms} ms` : `${Math.round(ms / 1000)} s`}`),
  upstreamConnection: (cause: unknown) => error("unavailable", "the connection to the model failed", cause),
  upstreamErrorEvent: (cause: unknown) => error("unavailable", "the model server reported an error in its stream", cause),
  upstreamFailed: (cause: unknown) => error("internal", "internal error", cause),
});

/** The stable name of an error of the catalogue: its entry's name. */
export type ErrorReason = keyof typeof errors;

/** True when `error` was raised by the catalogue's entry `reason`, in this copy of the package or another. */
export function hasReason(error: unknown, reason: ErrorReason): boolean {
  return error instanceof TokenwireError && error.reason === reason;
}

// Each entry's errors carry the entry's name as their reason: one name, written once.
function named<C extends Record<string, (...args: never[]) => TokenwireError>>(entries: C): C {
  const withReason = Object.entries(entries).map(([reason, make]) => [
    reason,
    (...args: never[]) => Object.assign(make(...args), { reason }) as TokenwireError,
  ]);
  return Object.fromEntries(withReason) as C;
}

// What a caller sent comes back in a message only as a bounded prefix.
function clip(text: string, max = 48): string {
  return text.length <= max ? text : `${text.slice(0, max)}…`;
}

function upstreamStatusWords(status: number): [TokenwireError["code"], string] {
  if (status === 400 || status === 413 || status === 422) return ["invalid_argument", "the model rejected the request"];
  if (status === 401 || status === 403) return ["unauthenticated", "the model rejected the server's credentials"];
  if (status === 404) return ["not_found", "the model was not found upstream"];
  if (status === 408) return ["deadline_exceeded", "the model timed out"];
  if (status === 429) return ["resource_exhausted", "the model is rate limited"];
  if (status >= 500) return ["unavailable", "the model is unavailable"];
  return ["internal", "the model call failed"];
}
