import type { Tokenwire } from "../../core/tokenwire.ts";
import { expressConnectMiddleware } from "@connectrpc/connect-express";
import type { Handler } from "express";
import { connectOptionsFrom, type RouterOptions } from "../router-options.ts";
import { dropNodeDeadlineBeyondTimers } from "../deadline-header.ts";
import { createRpcStreamHandler } from "../rpc-stream/rpc-stream-handler.ts";

/** Options of {@link tokenwireExpressMiddleware}. */
export interface TokenwireExpressMiddlewareOptions extends RouterOptions {
  /** Characters of unsent text per stream before the model is held back; default 64 Ki. */
  highWaterMark?: number;
  /** Serves RPCs under this path, such as `/api`; default none. gRPC clients seldom allow a prefix. */
  requestPathPrefix?: string;
}

/**
 * Express middleware serving tokenwire over Connect, gRPC-Web and (on an
 * HTTP/2 server) gRPC. Without interceptors, the server-streaming calls are
 * answered by a frame sink per call, as on the one-port server; the rest goes
 * through connect-express. Mount it before any body parser such as
 * `express.json()`, which would consume the request body.
 */
export function tokenwireExpressMiddleware(tokenwire: Tokenwire, options: TokenwireExpressMiddlewareOptions = {}): Handler {
  const connect = expressConnectMiddleware({ ...connectOptionsFrom(tokenwire, options), requestPathPrefix: options.requestPathPrefix });
  const streams = options.interceptors?.length ? undefined : createRpcStreamHandler(tokenwire, options);
  return (req, res, next) => {
    dropNodeDeadlineBeyondTimers(req.headers);
    if (streams?.(req, res)) return;
    return connect(req, res, next);
  };
}
