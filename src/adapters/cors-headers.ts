import { cors } from "@connectrpc/connect";

/** Which browser origins may call tokenwire: the `cors` option of the node and fetch adapters. */
export interface CorsOptions {
  /** Origins such as `https://chat.example.com`, or `["*"]` for any; default none, so only same-origin pages call. */
  origins?: readonly string[];
  /** Request headers a page may send besides those of Connect and gRPC-Web; default `["Authorization"]`. */
  allowedHeaders?: readonly string[];
}

/** What {@link corsHeaders} needs to know of a request. */
export interface CorsRequest {
  method: string;
  /** The `Origin` request header. */
  origin: string | null | undefined;
  /** The `Access-Control-Request-Method` request header, which marks a preflight. */
  requestMethod: string | null | undefined;
}

/** Whether a request is a CORS preflight, which must be answered before it reaches a Connect handler (which would refuse `OPTIONS`). */
export function isPreflight(request: CorsRequest): boolean {
  return request.method === "OPTIONS" && Boolean(request.origin) && Boolean(request.requestMethod);
}

/** Whether the options allow pages of this origin to call: it is listed, or `*` is. */
export function isAllowedOrigin(origin: string, options: CorsOptions = {}): boolean {
  const origins = options.origins ?? [];
  return origins.includes("*") || origins.includes(origin);
}

/** The CORS response headers for a request, built from Connect's `cors` lists; none for an origin that may not call. */
export function corsHeaders(request: CorsRequest, options: CorsOptions = {}): Record<string, string> {
  if (!request.origin || !isAllowedOrigin(request.origin, options)) return {};
  const any = options.origins?.includes("*") ?? false;
  // A reply that names the origin differs per origin, so caches must key on it.
  const base: Record<string, string> = any ? { "access-control-allow-origin": "*" } : { "access-control-allow-origin": request.origin, vary: "Origin" };
  if (!isPreflight(request)) return { ...base, "access-control-expose-headers": cors.exposedHeaders.join(", ") };
  return {
    ...base,
    // Connect's methods, and the Responses API's DELETE of a kept response.
    "access-control-allow-methods": [...cors.allowedMethods, "DELETE"].join(", "),
    "access-control-allow-headers": [...cors.allowedHeaders, ...(options.allowedHeaders ?? ["Authorization"])].join(", "),
    "access-control-max-age": "7200",
  };
}
