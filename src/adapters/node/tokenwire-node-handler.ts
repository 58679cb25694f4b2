import { connectNodeAdapter } from "@connectrpc/connect-node";
import type { ConnectRouter, Interceptor } from "@connectrpc/connect";
import type { Tokenwire } from "../../core/tokenwire.ts";
import { tokenwireRoutes, type TokenwireRoutesOptions } from "../connect/tokenwire-routes.ts";
import type { NodeHandler } from "./one-port-server.ts";

/** Options of {@link tokenwireNodeHandler}. */
export interface TokenwireNodeHandlerOptions extends TokenwireRoutesOptions {
  /** Largest request message in bytes; larger ones get `resource_exhausted`. Default 1 MiB. */
  readMaxBytes?: number;
  /** More routes on the same router: health, reflection, your own services. */
  routes?: (router: ConnectRouter) => void;
  /** Serves what no RPC matches, such as a page or `/healthz`; default 404. */
  fallback?: NodeHandler;
  interceptors?: Interceptor[];
}

/**
 * A `node:http` / `node:http2` request handler that serves tokenwire's RPCs
 * over Connect, gRPC and gRPC-Web, through connect-node.
 */
export function tokenwireNodeHandler(tokenwire: Tokenwire, options: TokenwireNodeHandlerOptions = {}): NodeHandler {
  return connectNodeAdapter({
    routes(router) {
      tokenwireRoutes(tokenwire, options)(router);
      options.routes?.(router);
    },
    readMaxBytes: options.readMaxBytes ?? 1024 * 1024,
    fallback: options.fallback,
    interceptors: options.interceptors,
  });
}
