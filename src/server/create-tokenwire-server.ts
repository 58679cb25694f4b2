import type { AddressInfo } from "node:net";
import { createTokenwire, type Tokenwire, type TokenwireOptions } from "../core/tokenwire.ts";
import { TokenwireError } from "../core/tokenwire-error.ts";
import { createOnePortServer, type OnePortServerOptions, type NodeHandler } from "../adapters/node/one-port-server.ts";
import { tokenwireNodeHandler, type TokenwireNodeHandlerOptions } from "../adapters/node/tokenwire-node-handler.ts";

/** Options of {@link createTokenwireServer}. */
export interface TokenwireServerOptions extends Omit<TokenwireOptions, "signal">, Omit<TokenwireNodeHandlerOptions, "fallback">, OnePortServerOptions {
  /** Serves what no RPC matches (after `GET /healthz`); default 404. */
  fallback?: NodeHandler;
}

/** A tokenwire server, not yet listening. */
export interface TokenwireServer {
  readonly tokenwire: Tokenwire;
  /** Starts listening; resolves with the bound address. */
  listen(port?: number, host?: string): Promise<AddressInfo>;
  /**
   * Stops accepting, lets streams in flight finish for `graceMs`, then ends the
   * rest with `unavailable` and closes every connection.
   */
  shutdown(graceMs?: number): Promise<void>;
}

/**
 * Creates tokenwire's one-port server: Connect, gRPC and gRPC-Web over
 * HTTP/1.1 and HTTP/2, plus `GET /healthz` for load balancers.
 */
export function createTokenwireServer(options: TokenwireServerOptions): TokenwireServer {
  const stopping = new AbortController();
  const tokenwire = createTokenwire({ ...options, signal: stopping.signal });
  const handler = tokenwireNodeHandler(tokenwire, { ...options, fallback: healthzOr(options.fallback, stopping.signal) });
  const server = createOnePortServer(handler, options);
  return {
    tokenwire,
    listen(port = 0, host = "127.0.0.1") {
      return new Promise((resolve, reject) => {
        server.net.once("error", reject);
        server.net.listen(port, host, () => resolve(server.net.address() as AddressInfo));
      });
    },
    async shutdown(graceMs = 10_000) {
      const closed = new Promise<void>((resolve) => server.net.close(() => resolve()));
      server.closeIdle();
      await untilIdle(tokenwire, graceMs);
      stopping.abort(new TokenwireError("unavailable", "the server is shutting down"));
      await untilIdle(tokenwire, 1000); // let the streams just ended send their status
      server.closeAll();
      await closed;
    },
  };
}

function healthzOr(fallback: NodeHandler | undefined, stopping: AbortSignal): NodeHandler {
  return (req, res) => {
    if (req.url === "/healthz" && (req.method === "GET" || req.method === "HEAD")) {
      res.writeHead(stopping.aborted ? 503 : 200, { "content-type": "text/plain" });
      res.end(stopping.aborted ? "stopping\n" : "ok\n");
      return;
    }
    if (fallback) return fallback(req, res);
    res.writeHead(404, { "content-type": "text/plain" });
    res.end("not found\n");
  };
}

async function untilIdle(tokenwire: Tokenwire, timeoutMs: number): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (tokenwire.openStreams > 0 && Date.now() < deadline) await new Promise((resolve) => setTimeout(resolve, 20));
}
