import type { GenerationRequest } from "../../core/generation-request.ts";
import type { CallContext, Tokenwire } from "../../core/tokenwire.ts";
import { errors } from "../../core/errors.ts";
import { escapeLogText, silentLogger, type Logger } from "../../core/logger.ts";
import type { TokenEvent } from "../../core/token-event.ts";
import type { TokenSink } from "../../core/token-sink.ts";
import { TokenwireError } from "../../core/tokenwire-error.ts";
import type { CorsOptions } from "../cors-headers.ts";
import { httpStatuses } from "../http-statuses.ts";
import type { NodeHandler } from "../node/one-port-server.ts";
import { jsonOf, readFetchBody, readNodeBody, type RequestBody } from "./request-body.ts";
import { originRefusalOf, refusalOf, type HttpFailure } from "./request-guard.ts";
import type { SseSink } from "./sse-sink.ts";

export type { HttpFailure } from "./request-guard.ts";

/** An HTTP request to a dialect's route, whatever server it came through. */
export interface DialectRequest {
  path: string;
  headers: Headers;
  /** A JSON route's body, parsed; undefined for an empty body, and for the routes that take none. */
  body: unknown;
  /** Aborted when the client goes away. */
  signal: AbortSignal;
  /** Ends the call as a client that went away would: its reader stopped reading. */
  cancel(): void;
}

/** A route's answer: a whole body, or a stream of server-sent events. */
export type DialectReply = { status: number; headers: Record<string, string> } & ({ body: string } | { sse: SseSink });

/** One route of a dialect. */
export interface DialectRoute {
  /**
   * A route that takes a JSON body and spends or stops (every POST): it takes
   * `application/json` only, and no call from a page of another origin that
   * the CORS options do not allow.
   */
  json: boolean;
  /** A route without a body that stops or spends all the same (a cancel): no call from a page of another origin either. */
  guarded?: boolean;
  /** Answers the request; a failure it throws goes out as the dialect's error. */
  answer(request: DialectRequest): Promise<DialectReply>;
}

/** A web dialect as its handlers serve it: its routes, and how it spells a failure. */
export interface Dialect {
  /** The wire's name in logs: `openai`, `ai-sdk`. */
  protocol: string;
  /** The route for a method and path; undefined when the dialect does not serve it. */
  route(method: string, path: string): DialectRoute | undefined;
  /** The dialect's reply for a failure. */
  errorReply(failure: HttpFailure): DialectReply;
}

type NodeRequest = Parameters<NodeHandler>[0];
type NodeResponse = Parameters<NodeHandler>[1];

/** A node handler that Express also takes as middleware: what it does not serve goes to `next`. */
export type DialectNodeHandler = (req: NodeRequest, res: NodeResponse, next?: () => void) => void;

/** A Fetch-API handler, as Deno, Bun, Cloudflare Workers and Next.js route handlers take one. */
export type FetchHandler = (request: Request) => Promise<Response>;

/** Options shared by the dialects' routes. */
export type DialectRoutesOptions = object;

/** Options shared by the dialects' handlers. */
export interface DialectHandlerOptions<F> {
  /** Serves what the dialect does not; default 404. */
  fallback?: F;
  /** The largest request body in bytes (`TOKENWIRE_READ_MAX_BYTES`); larger ones get 413. Default 1 MiB. */
  readMaxBytes?: number;
  /**
   * Browser origins whose pages may call the JSON routes; default none but the
   * server's own. It only decides what is refused: the CORS headers and the
   * preflights are `withCors`'s, around the handler.
   */
  cors?: CorsOptions;
  /** Where a body over `readMaxBytes` is logged, at `warn`; default nowhere. */
  logger?: Logger;
}

/** What a dialect's streaming call needs: the request, the sink that writes the dialect, and the wire's name for the log. */
export interface SseCall {
  request: GenerationRequest;
  sink: SseSink;
  protocol: string;
  /** Headers of the reply besides the SSE ones. */
  headers?: Record<string, string>;
  /** Asks for a resumable stream, and its id. */
  resumable?: Pick<CallContext, "resumable" | "streamId">;
}

/**
 * Streams a call into its dialect's sink and answers once the status is known.
 * A call refused, or an upstream that failed before its first token, is
 * thrown, to go out as an HTTP error: clients retry on a 429 or 503 status.
 */
export async function sseReply(tokenwire: Tokenwire, call: SseCall, request: DialectRequest): Promise<DialectReply> {
  void tokenwire.pipeTokens(call.request, call.sink, { ...contextOf(request, call.protocol), ...call.resumable });
  return headedReply(call.sink, call.headers);
}

/** The SSE reply of a sink being written, once its status is known; a failure before the first part is thrown. */
export async function headedReply(sink: SseSink, headers?: Record<string, string>): Promise<DialectReply> {
  const failed = await sink.head;
  if (failed) throw failed;
  return { status: 200, headers: { ...sseHeaders, ...headers }, sse: sink };
}

/** The core's view of a dialect's call: its headers for the auth hook, the client's going away, and names for the log line. */
export function contextOf(request: DialectRequest, protocol: string): CallContext {
  return { headers: request.headers, signal: request.signal, protocol, method: request.path };
}

/** The headers of an SSE reply. `connection` is left out: HTTP/2 forbids it. */
export const sseHeaders: Record<string, string> = { "content-type": "text/event-stream", "cache-control": "no-cache", "x-accel-buffering": "no" };

/** A failure as an HTTP route answers it: the status of its code, and `Retry-After` when trying again may help. */
export function failureOf(reason: unknown): HttpFailure {
  const error = TokenwireError.from(reason);
  // A caller over its limit is told when, and so is a client of a server that drains (another replica answers at
  // once); a server at its stream limit, or an upstream's rate limit, lets up soon, and one second is a guess that
  // keeps retries cheap.
  const retryAfter = String(Math.max(1, Math.ceil((error.retryAfterMs ?? 1000) / 1000)));
  const headers: Record<string, string> = error.code === "resource_exhausted" || error.retryAfterMs !== undefined ? { "retry-after": retryAfter } : {};
  return { error, status: httpStatuses[error.code], headers };
}

/** A whole JSON reply. */
export function jsonReply(status: number, body: unknown, headers: Record<string, string> = {}): DialectReply {
  return { status, headers: { "content-type": "application/json", ...headers }, body: JSON.stringify(body) };
}

/** Serves a dialect's routes on `node:http` and `node:http2`, and as Express middleware. */
export function dialectNodeHandler(dialect: Dialect, options: DialectHandlerOptions<NodeHandler> = {}): DialectNodeHandler {
  const fallback = options.fallback ?? notFound;
  return (req, res, next) => {
    const path = req.url?.split("?", 1)[0] ?? "";
    const route = dialect.route(req.method ?? "GET", path);
    if (!route) return next ? next() : fallback(req, res);
    const controller = new AbortController();
    // After the reply ended, the abort reaches nothing: the stream is over.
    res.once("close", () => controller.abort());
    const host = req.headers.host ?? (req.headers as Record<string, string | undefined>)[":authority"];
    const incoming = { path, headers: headersOf(req), host, read: (maxBytes: number) => readNodeBody(req, maxBytes), signal: controller.signal, cancel: () => controller.abort() };
    // What is left (a client gone mid-body, a socket that failed mid-write) ends the response.
    answer(incoming, { dialect, route, options })
      .then((reply) => writeNode(reply, res, req.httpVersionMajor))
      .catch(() => res.destroy());
  };
}

/** Serves a dialect's routes as a `(Request) => Promise<Response>` handler. */
export function dialectFetchHandler(dialect: Dialect, options: DialectHandlerOptions<FetchHandler> = {}): FetchHandler {
  return async (request) => {
    const url = new URL(request.url);
    const route = dialect.route(request.method, url.pathname);
    if (!route) return options.fallback ? options.fallback(request) : new Response(null, { status: 404 });
    const controller = new AbortController();
    request.signal.addEventListener("abort", () => controller.abort(), { once: true });
    const incoming = { path: url.pathname, headers: request.headers, host: url.host, read: (maxBytes: number) => readFetchBody(request, maxBytes), signal: controller.signal, cancel: () => controller.abort() };
    const reply = await answer(incoming, { dialect, route, options });
    // A 204 may have no body at all, not even an empty one.
    return new Response("body" in reply ? reply.body || null : reply.sse.body(), { status: reply.status, headers: reply.headers });
  };
}

/** A request as a handler hands it to {@link answer}: the route's request before its body is read, and how to read it. */
interface IncomingRequest extends Omit<DialectRequest, "body"> {
  host: string | undefined;
  read(maxBytes: number): Promise<RequestBody | undefined>;
}

// What every route of every dialect goes through: a JSON route's checks and its body, read within the limit, then
// the route, whose failure goes out in the dialect's words.
async function answer(incoming: IncomingRequest, { dialect, route, options }: { dialect: Dialect; route: DialectRoute; options: DialectHandlerOptions<unknown> }): Promise<DialectReply> {
  const { read, host, ...request } = incoming;
  try {
    if (!route.json) {
      const foreign = route.guarded ? originRefusalOf({ headers: request.headers, host }, options.cors) : undefined;
      return foreign ? dialect.errorReply(foreign) : await route.answer({ ...request, body: undefined });
    }
    const refusal = refusalOf({ headers: request.headers, host }, options.cors);
    if (refusal) return dialect.errorReply(refusal);
    const maxBytes = options.readMaxBytes ?? 1024 * 1024;
    const body = Number(request.headers.get("content-length")) > maxBytes ? undefined : await read(maxBytes);
    if (!body) return dialect.errorReply(tooLarge({ protocol: dialect.protocol, path: request.path, maxBytes, logger: options.logger }));
    return await route.answer({ ...request, body: jsonOf(body) });
  } catch (reason) {
    return dialect.errorReply(failureOf(reason));
  }
}

// 413, not the 429 of its code: sending the same body again will not help. The code stays the one the RPCs answer.
function tooLarge({ protocol, path, maxBytes, logger = silentLogger }: { protocol: string; path: string; maxBytes: number; logger?: Logger }): HttpFailure {
  const error = errors.requestTooLarge(maxBytes);
  logger.warn({ protocol, method: escapeLogText(path), status: error.code, readMaxBytes: maxBytes }, "request larger than the read limit");
  return { error, status: 413, headers: {} };
}

function writeNode(reply: DialectReply, res: NodeResponse, httpVersionMajor: number): void {
  if (res.destroyed) return;
  // A body refused as too large is left unread: HTTP/1.1 cannot take the next request on this connection until the
  // client stops sending it, so the connection closes. HTTP/2 resets just the stream, and forbids the header.
  const headers = reply.status === 413 && httpVersionMajor === 1 ? { ...reply.headers, connection: "close" } : reply.headers;
  res.writeHead(reply.status, headers);
  if ("body" in reply) return void res.end(reply.body);
  // The sink writes its frames itself from here; the response closing early (the client went away) stops the call.
  reply.sse.attach(res);
}

// HTTP/2's pseudo-headers (`:path`, …) are not headers to a `Headers` object, which refuses them.
function headersOf(req: NodeRequest): Headers {
  const headers = new Headers();
  for (const [name, value] of Object.entries(req.headers)) {
    if (name.startsWith(":") || value === undefined) continue;
    for (const item of Array.isArray(value) ? value : [value]) headers.append(name, item);
  }
  return headers;
}

const notFound: NodeHandler = (_req, res) => {
  res.writeHead(404);
  res.end();
};
