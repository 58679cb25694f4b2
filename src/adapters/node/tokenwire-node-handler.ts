import type { Tokenwire } from "../../core/tokenwire.ts";
import { Code, ConnectError, createConnectRouter } from "@connectrpc/connect";
import { compressionBrotli, compressionGzip, universalRequestFromNodeRequest, universalResponseToNodeResponse } from "@connectrpc/connect-node";
import type { Logger } from "../../core/logger.ts";
import { connectOptionsFrom, type RouterOptions } from "../router-options.ts";
import { dropDeadlineBeyondTimers } from "../deadline-header.ts";
import { errorFields } from "./error-fields.ts";
import { silentLogger } from "../../core/logger.ts";
import { readLimitInterceptor } from "../connect/read-limit-interceptor.ts";
import { createRpcStreamHandler } from "../rpc-stream/rpc-stream-handler.ts";
import type { NodeHandler } from "./one-port-server.ts";

/** Options of {@link tokenwireNodeHandler}. */
export interface TokenwireNodeHandlerOptions extends RouterOptions {
  /** Serves what no RPC matches, such as a page or `/healthz`; default 404. */
  fallback?: NodeHandler;
  /**
   * Where a handler's own failure is logged, as one line (default stderr, as
   * connect-node prints it), and a request larger than `readMaxBytes`.
   */
  logger?: Logger;
  /** Characters of unsent text per stream before the model is held back; default 64 Ki. */
  highWaterMark?: number;
}

/**
 * A `node:http` / `node:http2` request handler that serves tokenwire's RPCs
 * over Connect, gRPC and gRPC-Web. The server-streaming calls are answered by
 * a frame sink per call that writes each event straight onto the response
 * ({@link createRpcStreamHandler}); with interceptors, which must see every
 * call, and for everything else (unary calls, health, reflection, your
 * routes, a request the sinks do not take) it is connect-node's.
 *
 * The rest is connect-node's `connectNodeAdapter` with one difference: a response
 * that cannot be written because the client went away is not reported.
 * connect-node prints a stack trace for it when the write fails with a code it
 * does not know as a hang-up (`ECANCELED` from a destroyed HTTP/2 session),
 * though the stream has already ended as `canceled` and is logged as such.
 * Other failures go to `options.logger` when there is one. A deadline longer
 * than a Node timer holds is dropped before connect-node reads it (see
 * {@link dropDeadlineBeyondTimers}).
 */
export function tokenwireNodeHandler(tokenwire: Tokenwire, options: TokenwireNodeHandlerOptions = {}): NodeHandler {
  const { routes, interceptors = [], ...routerOptions } = connectOptionsFrom(tokenwire, options);
  const logger = options.logger ?? silentLogger;
  const router = createConnectRouter({
    ...routerOptions,
    interceptors: [readLimitInterceptor(logger), ...interceptors],
    acceptCompression: [compressionGzip, compressionBrotli],
  });
  routes(router);
  const handlers = new Map(router.handlers.map((handler) => [handler.requestPath, handler]));
  const fallback = options.fallback ?? notFound;
  // Interceptors see every call's messages, which only connect-node's pipeline shows them.
  const streams = interceptors.length === 0 ? createRpcStreamHandler(tokenwire, { ...options, logger }) : undefined;
  return (req, res) => {
    if (streams?.(req, res)) return;
    const handler = handlers.get(req.url?.split("?", 1)[0] ?? "");
    if (!handler) return fallback(req, res);
    const request = universalRequest(req, res);
    if (!request) return;
    dropDeadlineBeyondTimers(request.header);
    handler(request)
      .then((response) => universalResponseToNodeResponse(response, res))
      .catch((reason: unknown) => {
        if (request.signal.aborted || ConnectError.from(reason).code === Code.Aborted) return;
        const rpc = `${handler.service.typeName}/${handler.method.name}`;
        if (options.logger) options.logger.error({ method: rpc, error: errorFields(reason) }, "rpc handler failed");
        else console.error(`handler for rpc ${handler.method.name} of ${handler.service.typeName} failed`, reason);
      });
  };
}

// connect-node throws from here for a request with no authority, an HTTP/1.0 request without Host
// (universalRequestFromNodeRequest, https://github.com/connectrpc/connect-es/blob/v2.2.0/packages/connect-node/src/node-universal-handler.ts):
// thrown in a request listener, that would end the process.
function universalRequest(...[req, res]: Parameters<NodeHandler>) {
  try {
    return universalRequestFromNodeRequest(req, res, undefined, undefined);
  } catch {
    res.writeHead(400, { "content-type": "text/plain" });
    res.end("the request names no host\n");
    return undefined;
  }
}

const notFound: NodeHandler = (_req, res) => {
  res.writeHead(404);
  res.end();
};
