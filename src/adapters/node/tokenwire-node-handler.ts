import { connectNodeAdapter } from "@connectrpc/connect-node";
import type { TokenwireInput } from "../../models/tokenwire-from.ts";
import { connectOptionsFrom, type RouterOptions } from "../router-options.ts";
import type { NodeHandler } from "./one-port-server.ts";

/** Options of {@link tokenwireNodeHandler}. */
export interface TokenwireNodeHandlerOptions extends RouterOptions {
  /** Serves what no RPC matches, such as a page or `/healthz`; default 404. */
  fallback?: NodeHandler;
}

/**
 * A `node:http` / `node:http2` request handler that serves tokenwire's RPCs
 * over Connect, gRPC and gRPC-Web, through connect-node.
 */
export function tokenwireNodeHandler(input: TokenwireInput, options: TokenwireNodeHandlerOptions = {}): NodeHandler {
  return connectNodeAdapter({ ...connectOptionsFrom(input, options), fallback: options.fallback });
}
