import type { Tokenwire } from "../../core/tokenwire.ts";
import { expressConnectMiddleware } from "@connectrpc/connect-express";
import type { Handler } from "express";
import { connectOptionsFrom, type RouterOptions } from "../router-options.ts";
import { dropNodeDeadlineBeyondTimers } from "../deadline-header.ts";

/** Options of {@link tokenwireExpressMiddleware}. */
export interface TokenwireExpressMiddlewareOptions extends RouterOptions {
  /** Serves RPCs under this path, such as `/api`; default none. gRPC clients seldom allow a prefix. */
  requestPathPrefix?: string;
}

/**
 * Express middleware serving tokenwire over Connect, gRPC-Web and (on an
 * HTTP/2 server) gRPC, through connect-express. Mount it before any body
 * parser such as `express.json()`, which would consume the request body.
 */
export function tokenwireExpressMiddleware(tokenwire: Tokenwire, options: TokenwireExpressMiddlewareOptions = {}): Handler {
  const connect = expressConnectMiddleware({ ...connectOptionsFrom(tokenwire, options), requestPathPrefix: options.requestPathPrefix });
  return (req, res, next) => {
    dropNodeDeadlineBeyondTimers(req.headers);
    return connect(req, res, next);
  };
}
