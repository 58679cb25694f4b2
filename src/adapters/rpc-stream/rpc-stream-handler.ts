import type * as http from "node:http";
import type { Compression } from "@connectrpc/connect/protocol";
import { compressionBrotli, compressionGzip } from "@connectrpc/connect-node";
import { escapeLogFields, silentLogger, type Logger } from "../../core/logger.ts";
import type { Tokenwire } from "../../core/tokenwire.ts";
import type { NodeHandler } from "../node/one-port-server.ts";
import { errorFields } from "../node/error-fields.ts";
import { createRpcStreamCalls, type RpcStreamCallsOptions } from "./rpc-stream-calls.ts";

/** Options of {@link createRpcStreamHandler}. */
export interface RpcStreamHandlerOptions extends RpcStreamCallsOptions {
  /** The compressions a request may come in and a response may go out in; default gzip and brotli. */
  acceptCompression?: Compression[];
  /** Where a fault of the handler's own is logged. */
  logger?: Logger;
  /** The request's body as the sink's reader takes it, for a bound of the server's own; default the request itself. */
  requestBody?: (req: Parameters<NodeHandler>[0], call: { method: string }) => AsyncIterable<Uint8Array>;
}

/** Answers a request and returns true when it is a server-streaming call it serves; false leaves it to another handler. */
export type RpcStreamHandler = (...args: Parameters<NodeHandler>) => boolean;

/**
 * Answers the server-streaming RPCs on `node:http` and `node:http2` with a
 * frame sink per call that writes each event straight onto the response
 * ({@link createRpcStreamCalls}). Any other request (another path or method,
 * a GET, a content type or HTTP version it does not serve, a request with no
 * Host) is declined, for connect-node to answer.
 */
export function createRpcStreamHandler(tokenwire: Tokenwire, options: RpcStreamHandlerOptions = {}): RpcStreamHandler {
  const logger = options.logger ?? silentLogger;
  const requestBody = options.requestBody ?? ((req) => req);
  const callOf = createRpcStreamCalls(tokenwire, { ...options, acceptCompression: options.acceptCompression ?? [compressionGzip, compressionBrotli] });
  return (req, res) => {
    // connect-node answers an HTTP/1.0 request with no Host, which names no URL, with its own refusal.
    if (req.httpVersionMajor === 1 && req.headers.host === undefined) return false;
    const call = callOf({ method: req.method ?? "", path: req.url?.split("?", 1)[0] ?? "", contentType: req.headers["content-type"], httpVersionMajor: req.httpVersionMajor });
    if (!call) return false;
    call
      .answer({ headers: webHeaders(req.headers), body: requestBody(req, { method: call.method }), wire: res })
      .catch((reason: unknown) => logger.error(escapeLogFields({ method: call.method, error: errorFields(reason) }), "rpc handler failed"));
    return true;
  };
}

// The request's headers as the core reads them; HTTP/2's pseudo-headers are not headers.
function webHeaders(headers: http.IncomingHttpHeaders): Headers {
  const header = new Headers();
  for (const [name, value] of Object.entries(headers)) {
    if (name.startsWith(":") || value === undefined) continue;
    if (Array.isArray(value)) for (const item of value) header.append(name, item);
    else header.set(name, value);
  }
  return header;
}
