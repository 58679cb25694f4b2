import { create, type DescMessage, type MessageInitShape, type MessageShape } from "@bufbuild/protobuf";
import { createMethodSerializationLookup, validateReadWriteMaxBytes, type Compression, type Serialization } from "@connectrpc/connect/protocol";
import type { Mergeable } from "../../core/iterator-sink.ts";
import { createFrameSink, type FrameSink, type FrameWire } from "./frame-sink.ts";
import type { StreamProtocol } from "./stream-protocol.ts";
import type { StreamRoute } from "./stream-routes.ts";

/** Options of {@link createRpcCallSink}. */
export interface RpcCallSinkOptions<E> {
  /** What the RPC sends for each event. */
  route: Pick<StreamRoute<DescMessage, DescMessage, E>, "method" | "response" | "headerOf" | "failure">;
  protocol: StreamProtocol;
  /** Binary protobuf, or JSON. */
  binary: boolean;
  wire: FrameWire;
  /** The response messages' serialization; default the method's, unbounded. */
  serialization?: Serialization<MessageShape<DescMessage>>;
  /** The response's compression, as negotiated; null for none. */
  compression?: Compression | null;
  compressMinBytes?: number;
  highWaterMark?: number;
  /** Called once when the client goes away before the stream ended. */
  onReturn?: () => void;
}

/** The frame sink of one call: the route's messages in the protocol's frames, with its head and its status. */
export function createRpcCallSink<E extends Mergeable>(options: RpcCallSinkOptions<E>): FrameSink<E> {
  const { route, protocol, binary } = options;
  const output = options.serialization ?? createMethodSerializationLookup(route.method, undefined, undefined, validateReadWriteMaxBytes(undefined, undefined, undefined)).getO(binary);
  const serialize = (message: MessageInitShape<DescMessage> | undefined) => message && output.serialize(create(route.method.output, message));
  return createFrameSink({
    wire: options.wire,
    header: protocol.header(binary, options.compression ?? null),
    encode: (event) => serialize(route.response(event)),
    headerOf: route.headerOf,
    failure: route.failure && ((error) => serialize(route.failure!(error))),
    ending: protocol.ending,
    compression: options.compression,
    compressMinBytes: options.compressMinBytes,
    highWaterMark: options.highWaterMark,
    onReturn: options.onReturn,
  });
}
