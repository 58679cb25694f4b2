import { Code, ConnectError, createConnectRouter } from "@connectrpc/connect";
import { compressionBrotli, compressionGzip, universalRequestFromNodeRequest, universalResponseToNodeResponse } from "@connectrpc/connect-node";
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
 *
 * It is connect-node's `connectNodeAdapter` with one difference: a response
 * that cannot be written because the client went away is not reported.
 * connect-node prints a stack trace for it when the write fails with a code it
 * does not know as a hang-up (`ECANCELED` from a destroyed HTTP/2 session),
 * though the stream has already ended as `canceled` and is logged as such.
 */
export function tokenwireNodeHandler(input: TokenwireInput, options: TokenwireNodeHandlerOptions = {}): NodeHandler {
  const { routes, ...routerOptions } = connectOptionsFrom(input, options);
  const router = createConnectRouter({ ...routerOptions, acceptCompression: [compressionGzip, compressionBrotli] });
  routes(router);
  const handlers = new Map(router.handlers.map((handler) => [handler.requestPath, handler]));
  const fallback = options.fallback ?? notFound;
  return (req, res) => {
    const handler = handlers.get(req.url?.split("?", 1)[0] ?? "");
    if (!handler) return fallback(req, res);
    const request = universalRequestFromNodeRequest(req, res, undefined, undefined);
    handler(request)
      .then((response) => universalResponseToNodeResponse(response, res))
      .catch((reason: unknown) => {
        if (request.signal.aborted || ConnectError.from(reason).code === Code.Aborted) return;
        console.error(`handler for rpc ${handler.method.name} of ${handler.service.typeName} failed`, reason);
      });
  };
}

const notFound: NodeHandler = (_req, res) => {
  res.writeHead(404);
  res.end();
};
