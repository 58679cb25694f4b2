import type { Tokenwire } from "../../core/tokenwire.ts";
import { createConnectRouter } from "@connectrpc/connect";
import { createFetchHandler, type Compression } from "@connectrpc/connect/protocol";
import { corsHeaders, isPreflight, type CorsOptions } from "../cors-headers.ts";
import { connectOptionsFrom, type RouterOptions } from "../router-options.ts";
import { deadlinesBeyondTimers } from "../deadline-header.ts";
import { createRpcStreamCalls, type RpcStreamCall } from "../rpc-stream/rpc-stream-calls.ts";
import { responseWire } from "./response-wire.ts";

/** A Fetch-API handler, as Deno, Bun, Cloudflare Workers and Next.js route handlers take one. */
export type FetchHandler = (request: Request) => Promise<Response>;

/** Options of {@link tokenwireFetchHandler}. */
export interface TokenwireFetchHandlerOptions extends RouterOptions {
  /** Serves RPCs under this path, such as `/api`; default none. */
  requestPathPrefix?: string;
  /** Serves what no RPC matches; default 404. */
  fallback?: FetchHandler;
  /** Browser origins allowed to call; default same-origin only. */
  cors?: CorsOptions;
  /** Characters of unsent text per stream before the model is held back; default 64 Ki. */
  highWaterMark?: number;
  /**
   * The compressions a request may come in and a reply may go out in, such as
   * connect-node's `compressionGzip` where the runtime has `node:zlib`; default none.
   */
  acceptCompression?: Compression[];
  /** Ends the streams in flight as `unavailable` when aborted: the host's server closing. */
  shutdownSignal?: AbortSignal;
}

/**
 * A `(Request) => Promise<Response>` handler serving tokenwire over Connect and
 * gRPC-Web. Not gRPC: a fetch Response has no trailers, which gRPC needs.
 * Without interceptors, the server-streaming calls are answered by a frame
 * sink per call that writes each event straight onto the response's body, as
 * on the node handler; the rest goes through connect-es's fetch handler.
 */
export function tokenwireFetchHandler(tokenwire: Tokenwire, options: TokenwireFetchHandlerOptions = {}): FetchHandler {
  const handlers = routeTable(tokenwire, options);
  // Interceptors see every call's messages, which only connect-es's pipeline shows them.
  const streamCall = options.interceptors?.length ? undefined : createRpcStreamCalls(tokenwire, options);
  return async (request) => {
    const cors = { method: request.method, origin: request.headers.get("origin"), requestMethod: request.headers.get("access-control-request-method") };
    if (isPreflight(cors)) return new Response(null, { status: 204, headers: corsHeaders(cors, options.cors) });
    const path = new URL(request.url).pathname;
    const call = streamCall?.({ method: request.method, path, contentType: request.headers.get("content-type") ?? undefined });
    const handler = handlers.get(path);
    const response = call
      ? await streamed(call, withinTimers(request))
      : handler
        ? await handler(withinTimers(request))
        : await (options.fallback?.(request) ?? new Response(null, { status: 404 }));
    for (const [name, value] of Object.entries(corsHeaders(cors, options.cors))) response.headers.set(name, value);
    return response;
  };
}

// A request's own headers may be immutable: one whose deadline no timer holds goes on as a copy without it.
function withinTimers(request: Request): Request {
  const beyond = deadlinesBeyondTimers((name) => request.headers.get(name));
  if (beyond.length === 0) return request;
  const headers = new Headers(request.headers);
  for (const name of beyond) headers.delete(name);
  return new Request(request, { headers });
}

// The call's frames on the response's body; the request's signal and the body's reader cancelling both stop the call.
function streamed(call: RpcStreamCall, request: Request): Promise<Response> {
  const { wire, response, fail } = responseWire();
  call.answer({ headers: request.headers, body: chunksOf(request.body), wire, signal: request.signal }).catch(fail);
  return response;
}

// A fetch body's chunks, read with its reader: not every runtime's ReadableStream is async-iterable.
async function* chunksOf(body: ReadableStream<Uint8Array> | null): AsyncGenerator<Uint8Array> {
  const reader = body?.getReader();
  if (!reader) return;
  for (let next = await reader.read(); !next.done; next = await reader.read()) yield next.value;
}

function routeTable(tokenwire: Tokenwire, options: TokenwireFetchHandlerOptions): Map<string, FetchHandler> {
  const { routes, ...routerOptions } = connectOptionsFrom(tokenwire, options);
  const router = createConnectRouter({ ...routerOptions, grpc: false, acceptCompression: options.acceptCompression ?? [] });
  routes(router);
  const prefix = options.requestPathPrefix ?? "";
  return new Map(router.handlers.map((handler) => [prefix + handler.requestPath, createFetchHandler(handler)]));
}
