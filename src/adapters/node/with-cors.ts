import type { CorsOptions } from "../cors-headers.ts";
import { corsHeaders, isPreflight } from "../cors-headers.ts";
import type { NodeHandler } from "./one-port-server.ts";

/**
 * Wraps a node handler so that browsers on the allowed origins may call it:
 * preflights are answered here, since connect-node answers `OPTIONS` on an
 * RPC's path with 405, and every other reply gets the CORS headers.
 */
export function withCors(handler: NodeHandler, options: CorsOptions = {}): NodeHandler {
  return (req, res) => {
    const request = { method: req.method ?? "GET", origin: req.headers.origin, requestMethod: req.headers["access-control-request-method"] };
    const headers = corsHeaders(request, options);
    if (isPreflight(request)) {
      res.writeHead(204, headers);
      return void res.end();
    }
    // connect-node writes its head with writeHead(), which merges headers set here.
    for (const [name, value] of Object.entries(headers)) res.setHeader(name, value);
    handler(req, res);
  };
}
