import type { Tokenwire } from "../../core/tokenwire.ts";
import { Code, ConnectError, createConnectRouter } from "@connectrpc/connect";
import { compressionBrotli, compressionGzip, universalRequestFromNodeRequest, universalResponseToNodeResponse } from "@connectrpc/connect-node";
import { errors } from "../../core/errors.ts";
import { escapeLogFields, type Logger } from "../../core/logger.ts";
import { connectOptionsFrom, type RouterOptions } from "../router-options.ts";
import { dropDeadlineBeyondTimers } from "../deadline-header.ts";
import { boundedBody, type BoundedBodyOptions } from "./bounded-body.ts";
import { boundedCompression } from "./bounded-compression.ts";
import { errorFields } from "./error-fields.ts";
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
 * {@link dropDeadlineBeyondTimers}). A request body over `readMaxBytes`, as
 * sent or decompressed, is refused with `resource_exhausted` in tokenwire's
 * words, and logged at `warn` (see {@link boundedBody}, {@link boundedCompression});
 * a content type no protocol takes gets its 415 with Connect's error JSON
 * saying so, where connect-node sends none.
 */
export function tokenwireNodeHandler(tokenwire: Tokenwire, options: TokenwireNodeHandlerOptions = {}): NodeHandler {
  const { routes, interceptors = [], ...routerOptions } = connectOptionsFrom(tokenwire, options);
  const logRefusal = (fields: object) => options.logger?.warn({ status: "resource_exhausted", ...fields }, "request larger than the read limit");
  // A message larger once decompressed is refused by connect-node before any RPC is known: logged with its compression.
  const acceptCompression = [compressionGzip, compressionBrotli].map((compression) =>
    boundedCompression(compression, (error) => logRefusal({ compression: compression.name, message: error.rawMessage })),
  );
  const router = createConnectRouter({ ...routerOptions, interceptors, acceptCompression });
  routes(router);
  const handlers = new Map(router.handlers.map((handler) => [handler.requestPath, handler]));
  const fallback = options.fallback ?? notFound;
  // Interceptors see every call's messages, which only connect-node's pipeline shows them.
  const requestBody = (req: Parameters<NodeHandler>[0], { method }: { method: string }) => {
    const declared = req.headers["content-length"];
    const onRefused = (error: ConnectError) => logRefusal({ method, message: error.rawMessage });
    return boundedBody(req as AsyncIterable<Uint8Array>, { maxBytes: routerOptions.readMaxBytes, enveloped: true, declaredBytes: declared === undefined ? undefined : Number(declared), onRefused });
  };
  const streams = interceptors.length === 0 ? createRpcStreamHandler(tokenwire, { ...options, acceptCompression, requestBody }) : undefined;
  return (req, res) => {
    if (streams?.(req, res)) return;
    const handler = handlers.get(req.url?.split("?", 1)[0] ?? "");
    if (!handler) return fallback(req, res);
    const request = universalRequest(req, res);
    if (!request) return;
    const rpc = `${handler.service.typeName}/${handler.method.name}`;
    dropDeadlineBeyondTimers(request.header);
    const onRefused = (error: ConnectError) => logRefusal({ method: rpc, message: error.rawMessage });
    handler({ ...request, body: bounded(request, { maxBytes: routerOptions.readMaxBytes, onRefused }) })
      .then((response) => (response.status === 415 ? contentTypeNotTaken(res, request.header) : universalResponseToNodeResponse(response, res)))
      .catch((reason: unknown) => {
        if (request.signal.aborted || ConnectError.from(reason).code === Code.Aborted) return;
        if (options.logger) options.logger.error(escapeLogFields({ method: rpc, error: errorFields(reason) }), "rpc handler failed");
        else console.error(`handler for rpc ${handler.method.name} of ${handler.service.typeName} failed`, reason);
      });
  };
}

type UniversalRequest = NonNullable<ReturnType<typeof universalRequest>>;

// connect-node reads the Content-Length as a promise of the body's size and checks it against its own readMaxBytes
// first: the header is checked here instead, and taken off.
function bounded(request: UniversalRequest, options: Pick<BoundedBodyOptions, "maxBytes" | "onRefused">): UniversalRequest["body"] {
  const declared = request.header.get("content-length");
  request.header.delete("content-length");
  return boundedBody(request.body as AsyncIterable<Uint8Array>, {
    ...options,
    enveloped: /^application\/(grpc|connect\+)/i.test(request.header.get("content-type") ?? ""),
    declaredBytes: declared === null ? undefined : Number(declared),
  });
}

// The Connect protocol's error JSON, which a Connect client reads as the error of its call, and a person as the reason.
function contentTypeNotTaken(res: Parameters<NodeHandler>[1], header: Headers): void {
  const taken = "Connect's application/json or application/proto or gRPC's application/grpc or gRPC-Web's application/grpc-web";
  const { code, message } = errors.contentTypeNotTaken(header.get("content-type") ?? "", taken);
  res.writeHead(415, { "content-type": "application/json" });
  res.end(JSON.stringify({ code, message }));
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
