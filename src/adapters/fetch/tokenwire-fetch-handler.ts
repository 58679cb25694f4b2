import type { Tokenwire } from "../../core/tokenwire.ts";
import { createConnectRouter } from "@connectrpc/connect";
import { createFetchHandler } from "@connectrpc/connect/protocol";
import { corsHeaders, isPreflight, type CorsOptions } from "../cors-headers.ts";
import { connectOptionsFrom, type RouterOptions } from "../router-options.ts";
import { deadlinesBeyondTimers } from "../deadline-header.ts";

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
}

/**
 * A `(Request) => Promise<Response>` handler serving tokenwire over Connect and
 * gRPC-Web. Not gRPC: a fetch Response has no trailers, which gRPC needs.
 */
export function tokenwireFetchHandler(tokenwire: Tokenwire, options: TokenwireFetchHandlerOptions = {}): FetchHandler {
  const handlers = routeTable(tokenwire, options);
  return async (request) => {
    const cors = { method: request.method, origin: request.headers.get("origin"), requestMethod: request.headers.get("access-control-request-method") };
    if (isPreflight(cors)) return new Response(null, { status: 204, headers: corsHeaders(cors, options.cors) });
    const handler = handlers.get(new URL(request.url).pathname);
    const response = handler ? await handler(withinTimers(request)) : await (options.fallback?.(request) ?? new Response(null, { status: 404 }));
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

function routeTable(tokenwire: Tokenwire, options: TokenwireFetchHandlerOptions): Map<string, FetchHandler> {
  const { routes, ...routerOptions } = connectOptionsFrom(tokenwire, options);
  const router = createConnectRouter({ ...routerOptions, grpc: false });
  routes(router);
  const prefix = options.requestPathPrefix ?? "";
  return new Map(router.handlers.map((handler) => [prefix + handler.requestPath, createFetchHandler(handler)]));
}
