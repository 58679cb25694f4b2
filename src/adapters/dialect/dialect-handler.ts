import type { Code } from "../../core/code.ts";
import type { GenerationRequest } from "../../core/generation-request.ts";
import type { CallContext, Tokenwire } from "../../core/tokenwire.ts";
import { errors } from "../../core/errors.ts";
import type { TokenEvent } from "../../core/token-event.ts";
import type { TokenSink } from "../../core/token-sink.ts";
import { TokenwireError } from "../../core/tokenwire-error.ts";
import type { NodeHandler } from "../node/one-port-server.ts";
import { parseJson } from "./json-fields.ts";
import type { SseSink } from "./sse-sink.ts";

/** An HTTP request to a dialect's route, whatever server it came through. */
export interface DialectRequest {
  path: string;
  headers: Headers;
  /** The body as JSON; a body that is not JSON, or too large, is an `invalid_argument` TokenwireError. */
  json(): Promise<unknown>;
  /** Aborted when the client goes away. */
  signal: AbortSignal;
  /** Ends the call as a client that went away would: its reader stopped reading. */
  cancel(): void;
}

/** A route's answer: a whole body, or a stream of server-sent events. */
export type DialectReply = { status: number; headers: Record<string, string> } & ({ body: string } | { sse: SseSink });

/** Finds the route for a method and path; undefined when the dialect does not serve it. */
export type DialectRoutes = (method: string, path: string) => ((request: DialectRequest) => Promise<DialectReply>) | undefined;

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
  /** The largest request body in bytes; default 1 MiB. */
  readMaxBytes?: number;
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

/** Writes a stream's events into a sink, waiting when it asks to, and closes it as the stream ended. */
export async function pipeEvents(events: AsyncIterable<TokenEvent>, sink: TokenSink<TokenEvent>): Promise<void> {
  try {
    for await (const event of events) await sink.write(event);
    sink.close();
  } catch (reason) {
    sink.close(TokenwireError.from(reason));
  }
}

/** The core's view of a dialect's call: its headers for the auth hook, the client's going away, and names for the log line. */
export function contextOf(request: DialectRequest, protocol: string): CallContext {
  return { headers: request.headers, signal: request.signal, protocol, method: request.path };
}

/** The headers of an SSE reply. `connection` is left out: HTTP/2 forbids it. */
export const sseHeaders: Record<string, string> = { "content-type": "text/event-stream", "cache-control": "no-cache", "x-accel-buffering": "no" };

const statuses: Partial<Record<Code, number>> = {
  canceled: 499,
  deadline_exceeded: 504,
  invalid_argument: 400,
  not_found: 404,
  resource_exhausted: 429,
  unauthenticated: 401,
  unavailable: 503,
  internal: 500,
};

/** The HTTP status of a failure, as Connect answers a unary call with its code, and `Retry-After` when trying again may help. */
export function errorStatus(error: TokenwireError): { status: number; headers: Record<string, string> } {
  // A caller over its limit is told when, and so is a client of a server that drains (another replica answers at
  // once); a server at its stream limit, or an upstream's rate limit, lets up soon, and one second is a guess that
  // keeps retries cheap.
  const retryAfter = String(Math.max(1, Math.ceil((error.retryAfterMs ?? 1000) / 1000)));
  const headers: Record<string, string> = error.code === "resource_exhausted" || error.retryAfterMs !== undefined ? { "retry-after": retryAfter } : {};
  return { status: statuses[error.code] ?? 500, headers };
}

/** A whole JSON reply. */
export function jsonReply(status: number, body: unknown, headers: Record<string, string> = {}): DialectReply {
  return { status, headers: { "content-type": "application/json", ...headers }, body: JSON.stringify(body) };
}

/** Serves a dialect's routes on `node:http` and `node:http2`, and as Express middleware. */
export function dialectNodeHandler(routes: DialectRoutes, options: DialectHandlerOptions<NodeHandler> = {}): DialectNodeHandler {
  const fallback = options.fallback ?? notFound;
  return (req, res, next) => {
    const path = req.url?.split("?", 1)[0] ?? "";
    const route = routes(req.method ?? "GET", path);
    if (!route) return next ? next() : fallback(req, res);
    const controller = new AbortController();
    // After the reply ended, the abort reaches nothing: the stream is over.
    res.once("close", () => controller.abort());
    const request = { path, headers: headersOf(req), json: () => jsonOf(req, options.readMaxBytes), signal: controller.signal, cancel: () => controller.abort() };
    // Routes answer their own failures; what is left (a socket that failed mid-write) ends the response.
    route(request)
      .then((reply) => writeNode(reply, res))
      .catch(() => res.destroy());
  };
}

/** Serves a dialect's routes as a `(Request) => Promise<Response>` handler. */
export function dialectFetchHandler(routes: DialectRoutes, options: DialectHandlerOptions<FetchHandler> = {}): FetchHandler {
  return async (request) => {
    const path = new URL(request.url).pathname;
    const route = routes(request.method, path);
    if (!route) return options.fallback ? options.fallback(request) : new Response(null, { status: 404 });
    const controller = new AbortController();
    request.signal.addEventListener("abort", () => controller.abort(), { once: true });
    const reply = await route({ path, headers: request.headers, json: () => fetchJson(request, options.readMaxBytes), signal: controller.signal, cancel: () => controller.abort() });
    // A 204 may have no body at all, not even an empty one.
    return new Response("body" in reply ? reply.body || null : reply.sse.body(), { status: reply.status, headers: reply.headers });
  };
}

async function writeNode(reply: DialectReply, res: NodeResponse): Promise<void> {
  if (res.destroyed) return;
  res.writeHead(reply.status, reply.headers);
  if ("body" in reply) return void res.end(reply.body);
  // Leaving the loop early (the client went away) returns the frames' generator, which stops the call.
  for await (const frame of reply.sse.frames()) {
    if (!res.write(frame) && !res.destroyed) await drained(res);
    if (res.destroyed) break;
  }
  res.end();
}

function drained(res: NodeResponse): Promise<void> {
  return new Promise((resolve) => {
    const done = (): void => {
      res.off("drain", done);
      res.off("close", done);
      resolve();
    };
    res.once("drain", done);
    res.once("close", done);
  });
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

// A body parser that ran first (express.json(), Fastify's) leaves the parsed body on the request.
async function jsonOf(req: NodeRequest, readMaxBytes: number | undefined): Promise<unknown> {
  const parsed = (req as { body?: unknown }).body;
  if (parsed !== undefined) return parsed;
  const chunks: Buffer[] = [];
  let size = 0;
  // Counted as the body arrives, so an oversized body is refused before it is all read.
  for await (const chunk of req as AsyncIterable<Buffer>) {
    checkSize((size += chunk.byteLength), readMaxBytes);
    chunks.push(chunk);
  }
  return parseJson(Buffer.concat(chunks).toString("utf8"));
}

async function fetchJson(request: Request, readMaxBytes: number | undefined): Promise<unknown> {
  const body = await request.arrayBuffer();
  checkSize(body.byteLength, readMaxBytes);
  return parseJson(new TextDecoder().decode(body));
}

function checkSize(size: number, readMaxBytes = 1024 * 1024): void {
  if (size > readMaxBytes) throw errors.invalidRequest(`the request body is larger than ${readMaxBytes} bytes`);
}

const notFound: NodeHandler = (_req, res) => {
  res.writeHead(404);
  res.end();
};
