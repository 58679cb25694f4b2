import type { DescMessage } from "@bufbuild/protobuf";
import {
  compressionNegotiate,
  createMethodSerializationLookup,
  createMethodUrl,
  validateReadWriteMaxBytes,
  type Compression,
} from "@connectrpc/connect/protocol";
import { errors } from "../../core/errors.ts";
import type { Tokenwire } from "../../core/tokenwire.ts";
import type { TokenwireRoutesOptions } from "../connect/tokenwire-routes.ts";
import { connectProtocol } from "./connect-protocol.ts";
import type { FrameWire } from "./frame-sink.ts";
import { createRpcCallSink } from "./rpc-call-sink.ts";
import { grpcProtocol } from "./grpc-protocol.ts";
import { grpcWebProtocol } from "./grpc-web-protocol.ts";
import { readRequestMessage } from "./read-request-message.ts";
import type { StreamProtocol } from "./stream-protocol.ts";
import { streamRoutes, type StreamRoute } from "./stream-routes.ts";

/** Options of {@link createRpcStreamCalls}. */
export interface RpcStreamCallsOptions extends TokenwireRoutesOptions {
  /** Largest request message in bytes; larger ones get `resource_exhausted`. Default 1 MiB. */
  readMaxBytes?: number;
  /** Characters of unsent text per stream before the model is held back; default 64 Ki. */
  highWaterMark?: number;
  /** The compressions a request may come in and a response may go out in; default none. */
  acceptCompression?: Compression[];
  /** Serves the RPCs under this path, such as `/api`; default none. */
  requestPathPrefix?: string;
  /** Ends the streams in flight as `unavailable` when aborted: a framework's server closing. */
  shutdownSignal?: AbortSignal;
}

/** What the frame sinks read of a request to choose it, whatever server it came through. */
export interface RpcStreamRequest {
  method: string;
  /** The URL's path, without its query. */
  path: string;
  contentType: string | undefined;
  /** The HTTP version's major number; undefined where the server does not tell it (a fetch `Request`), which leaves gRPC out. */
  httpVersionMajor?: number;
}

/** What a call is answered from and onto. */
export interface RpcStreamExchange {
  headers: Headers;
  /** The request's body, whose one message the call reads. */
  body: AsyncIterable<Uint8Array>;
  /** The response: the frames go onto it, and its closing early (the client went away) stops the call. */
  wire: FrameWire;
  /** Stops the call when aborted, as the client going away does: a fetch request's signal. */
  signal?: AbortSignal;
}

/** One server-streaming call the frame sinks take. */
export interface RpcStreamCall {
  /** The RPC's name, such as `tokenwire.v1.TokenService/StreamTokens`. */
  readonly method: string;
  /**
   * Reads the request's message, starts the stream and writes it onto the
   * wire until it ends; every failure of the call goes out as its status.
   * Rejects only for a fault of the server's own, which no status can tell.
   */
  answer(exchange: RpcStreamExchange): Promise<void>;
}

/** The call a request asks the frame sinks for; undefined for one they decline. */
export type RpcStreamCalls = (request: RpcStreamRequest) => RpcStreamCall | undefined;

// In the order connect-node negotiates them; their content types do not overlap.
const protocols: StreamProtocol[] = [grpcProtocol, grpcWebProtocol, connectProtocol];

/**
 * The server-streaming RPCs (`StreamTokens`, `ResumeStream`,
 * `StreamRunEvents`, the seed's `Send`) over gRPC (HTTP/2), gRPC-Web and
 * Connect streaming, binary or JSON, answered by a frame sink per call on any
 * wire: what the node and the fetch handlers share. Any other request
 * (another path or method, a GET, a content type or HTTP version it does not
 * serve) is declined.
 */
export function createRpcStreamCalls(tokenwire: Tokenwire, options: RpcStreamCallsOptions = {}): RpcStreamCalls {
  const limits = validateReadWriteMaxBytes(options.readMaxBytes ?? 1024 * 1024, undefined, undefined);
  const acceptCompression = options.acceptCompression ?? [];
  const prefix = options.requestPathPrefix ?? "";
  const routes = new Map(streamRoutes(tokenwire, options).map((route) => [prefix + createMethodUrl("/", route.method), servedRoute(route)]));

  // One route's serializers, made once.
  function servedRoute(route: StreamRoute<DescMessage, DescMessage, unknown>) {
    const serialization = createMethodSerializationLookup(route.method, undefined, undefined, limits);
    const name = `${route.method.parent.typeName}/${route.method.name}`;
    return { route, serialization, name };
  }

  async function answer(served: ReturnType<typeof servedRoute>, { protocol, binary }: { protocol: StreamProtocol; binary: boolean }, exchange: RpcStreamExchange): Promise<void> {
    const { route, serialization, name } = served;
    const { headers, signal } = exchange;
    const compression = compressionNegotiate(acceptCompression, headers.get(protocol.headers.encoding), headers.get(protocol.headers.acceptEncoding), protocol.headers.acceptEncoding);
    const timeout = protocol.parseTimeout(headers.get(protocol.headers.timeout), Number.MAX_SAFE_INTEGER);
    const caller = new AbortController(); // the client cancelled or went away, or the server closes
    const gone = (): void => caller.abort();
    const shutdown = (): void => caller.abort(errors.shuttingDown());
    for (const [stopping, stop] of [[signal, gone], [options.shutdownSignal, shutdown]] as const) {
      if (stopping?.aborted) stop();
      else stopping?.addEventListener("abort", stop, { once: true });
    }
    const sink = createRpcCallSink({
      route,
      protocol,
      binary,
      wire: exchange.wire,
      serialization: serialization.getO(binary),
      compression: compression.response,
      compressMinBytes: limits.compressMinBytes,
      highWaterMark: options.highWaterMark,
      onReturn: gone,
    });
    try {
      if (compression.error) throw compression.error;
      if (timeout.error) throw timeout.error;
      const request = await readRequestMessage(exchange.body, { readMaxBytes: limits.readMaxBytes, compression: compression.request, serialization: serialization.getI(binary), endFlag: protocol.requestEndFlag });
      await route.start(request, sink, { signal: caller.signal, headers, protocol: protocol.name, method: name, timeoutMs: timeout.timeoutMs });
    } catch (reason) {
      sink.close(reason);
    } finally {
      signal?.removeEventListener("abort", gone);
      options.shutdownSignal?.removeEventListener("abort", shutdown);
    }
  }

  return (request) => {
    if (request.method !== "POST") return undefined;
    const served = routes.get(request.path);
    if (!served) return undefined;
    for (const protocol of protocols) {
      const codec = protocol.codecOf(request.contentType, request.httpVersionMajor);
      if (codec) return { method: served.name, answer: (exchange) => answer(served, { protocol, binary: codec.binary }, exchange) };
    }
    return undefined;
  };
}
