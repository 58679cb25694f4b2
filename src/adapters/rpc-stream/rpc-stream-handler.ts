import type * as http from "node:http";
import type { DescMessage } from "@bufbuild/protobuf";
import {
  compressionNegotiate,
  createMethodSerializationLookup,
  createMethodUrl,
  validateReadWriteMaxBytes,
  type Compression,
} from "@connectrpc/connect/protocol";
import { compressionBrotli, compressionGzip } from "@connectrpc/connect-node";
import { errors } from "../../core/errors.ts";
import { escapeLogFields, silentLogger, type Logger } from "../../core/logger.ts";
import type { Tokenwire } from "../../core/tokenwire.ts";
import type { TokenwireRoutesOptions } from "../connect/tokenwire-routes.ts";
import type { NodeHandler } from "../node/one-port-server.ts";
import { errorFields } from "../node/error-fields.ts";
import { connectProtocol } from "./connect-protocol.ts";
import { createRpcCallSink } from "./rpc-call-sink.ts";
import { grpcProtocol } from "./grpc-protocol.ts";
import { grpcWebProtocol } from "./grpc-web-protocol.ts";
import { readRequestMessage } from "./read-request-message.ts";
import type { StreamProtocol } from "./stream-protocol.ts";
import { streamRoutes, type StreamRoute } from "./stream-routes.ts";

/** Options of {@link createRpcStreamHandler}. */
export interface RpcStreamHandlerOptions extends TokenwireRoutesOptions {
  /** Largest request message in bytes; larger ones get `resource_exhausted`. Default 1 MiB. */
  readMaxBytes?: number;
  /** Characters of unsent text per stream before the model is held back; default 64 Ki. */
  highWaterMark?: number;
  /** Where a request larger than `readMaxBytes` is logged. */
  logger?: Logger;
  /** The compressions a request may come in and a response may go out in; default gzip and brotli. */
  acceptCompression?: Compression[];
  /** The request's body as the sink's reader takes it, for a bound of the server's own; default the request itself. */
  requestBody?: (req: Parameters<NodeHandler>[0], call: { method: string }) => AsyncIterable<Uint8Array>;
  /** Serves the RPCs under this path, such as `/api`; default none. */
  requestPathPrefix?: string;
  /** Ends the streams in flight as `unavailable` when aborted: a framework's server closing. */
  shutdownSignal?: AbortSignal;
}

/** Answers a request and returns true when it is a server-streaming call it serves; false leaves it to another handler. */
export type RpcStreamHandler = (...args: Parameters<NodeHandler>) => boolean;

// In the order connect-node negotiates them; their content types do not overlap.
const protocols: StreamProtocol[] = [grpcProtocol, grpcWebProtocol, connectProtocol];

/**
 * Answers the server-streaming RPCs (`StreamTokens`, `ResumeStream`,
 * `StreamRunEvents`, the seed's `Send`) over gRPC (HTTP/2), gRPC-Web and
 * Connect streaming, binary or JSON, with a frame sink per call that writes
 * each event straight onto the response. Any other request (another path or
 * method, a GET, a content type or HTTP version it does not serve, a request
 * with no Host) is declined, for connect-node to answer.
 */
export function createRpcStreamHandler(tokenwire: Tokenwire, options: RpcStreamHandlerOptions = {}): RpcStreamHandler {
  const limits = validateReadWriteMaxBytes(options.readMaxBytes ?? 1024 * 1024, undefined, undefined);
  const logger = options.logger ?? silentLogger;
  const acceptCompression = options.acceptCompression ?? [compressionGzip, compressionBrotli];
  const requestBody = options.requestBody ?? ((req) => req);
  const prefix = options.requestPathPrefix ?? "";
  const calls = new Map(streamRoutes(tokenwire, options).map((route) => [prefix + createMethodUrl("/", route.method), servedCall(route)]));

  // One route's serializers, made once.
  function servedCall(route: StreamRoute<DescMessage, DescMessage, unknown>) {
    const serialization = createMethodSerializationLookup(route.method, undefined, undefined, limits);
    const name = `${route.method.parent.typeName}/${route.method.name}`;
    return { route, serialization, name };
  }

  async function serve(call: ReturnType<typeof servedCall>, { protocol, binary }: { protocol: StreamProtocol; binary: boolean }, ...[req, res]: Parameters<RpcStreamHandler>) {
    const { route, serialization, name } = call;
    const header = webHeaders(req.headers);
    const compression = compressionNegotiate(acceptCompression, header.get(protocol.headers.encoding), header.get(protocol.headers.acceptEncoding), protocol.headers.acceptEncoding);
    const timeout = protocol.parseTimeout(header.get(protocol.headers.timeout), Number.MAX_SAFE_INTEGER);
    const caller = new AbortController(); // the client cancelled or went away, or the server closes
    const shutdown = (): void => caller.abort(errors.shuttingDown());
    if (options.shutdownSignal?.aborted) shutdown();
    else options.shutdownSignal?.addEventListener("abort", shutdown, { once: true });
    res.once("close", () => options.shutdownSignal?.removeEventListener("abort", shutdown));
    const sink = createRpcCallSink({
      route,
      protocol,
      binary,
      wire: res,
      serialization: serialization.getO(binary),
      compression: compression.response,
      compressMinBytes: limits.compressMinBytes,
      highWaterMark: options.highWaterMark,
      onReturn: () => caller.abort(),
    });
    try {
      if (compression.error) throw compression.error;
      if (timeout.error) throw timeout.error;
      const request = await readRequestMessage(requestBody(req, { method: name }), { readMaxBytes: limits.readMaxBytes, compression: compression.request, serialization: serialization.getI(binary), endFlag: protocol.requestEndFlag });
      await route.start(request, sink, { signal: caller.signal, headers: header, protocol: protocol.name, method: name, timeoutMs: timeout.timeoutMs });
    } catch (reason) {
      sink.close(reason);
    }
  }

  return (req, res) => {
    if (req.method !== "POST") return false;
    const call = calls.get(req.url?.split("?", 1)[0] ?? "");
    // connect-node answers an HTTP/1.0 request with no Host, which names no URL, with its own refusal.
    if (!call || (req.httpVersionMajor === 1 && req.headers.host === undefined)) return false;
    for (const protocol of protocols) {
      const codec = protocol.codecOf(req.headers["content-type"], req.httpVersionMajor);
      if (!codec) continue;
      // serve() answers every failure of the call on the wire; what is left is a fault of the server's own.
      serve(call, { protocol, binary: codec.binary }, req, res).catch((reason: unknown) => logger.error(escapeLogFields({ method: call.name, error: errorFields(reason) }), "rpc handler failed"));
      return true;
    }
    return false;
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
