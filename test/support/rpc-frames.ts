import { Code, ConnectError } from "@connectrpc/connect";
import { createEnvelopeReadableStream, envelopeDecompress, type Compression } from "@connectrpc/connect/protocol";
import { validateTrailer } from "@connectrpc/connect/protocol-grpc";
import { trailerFlag, trailerParse } from "@connectrpc/connect/protocol-grpc-web";
import { createEndStreamSerialization, endStreamFlag } from "@connectrpc/connect/protocol-connect";

/** The protocols of a server-streaming call. */
export type RpcProtocolName = "grpc" | "grpc-web" | "connect";

/** Options of {@link readFrames}. */
export interface ReadFramesOptions<O> {
  protocol: RpcProtocolName;
  /** The client's parser of the method's output. */
  parse(data: Uint8Array): O;
  /** gRPC's trailers, asked for once the body has ended. */
  trailers?: () => Headers;
  /** The response's compression, for compressed envelopes. */
  compression?: Compression;
}

const endStream = createEndStreamSerialization(undefined);

/**
 * Reads a server-streaming response body with connect-es's own client-side
 * parsers: its envelope reader, decompression and the method's parser, then
 * the status (gRPC's trailers, gRPC-Web's trailer frame, Connect's
 * end-stream message), thrown as the ConnectError a client would throw.
 */
export async function* readFrames<O>(body: ReadableStream<Uint8Array>, options: ReadFramesOptions<O>): AsyncGenerator<O> {
  let ended = false;
  const envelopes = createEnvelopeReadableStream(body).getReader();
  for (let read = await envelopes.read(); !read.done; read = await envelopes.read()) {
    const envelope = read.value;
    if (ended) throw new ConnectError("protocol error: an envelope after the status", Code.Internal);
    const { flags, data } = await envelopeDecompress(envelope, options.compression ?? null, 0xffffffff);
    if (options.protocol === "grpc-web" && flags === trailerFlag) {
      validateTrailer(trailerParse(data), new Headers());
      ended = true;
    } else if (options.protocol === "connect" && flags === endStreamFlag) {
      const { error } = endStream.parse(data);
      if (error) throw error;
      ended = true;
    } else {
      yield options.parse(data);
    }
  }
  if (options.protocol === "grpc") validateTrailer(options.trailers?.() ?? new Headers(), new Headers());
  else if (!ended) throw new ConnectError("protocol error: the body ended with no status", Code.Internal);
}
