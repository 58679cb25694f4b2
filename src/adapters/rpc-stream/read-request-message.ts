import { Code, ConnectError } from "@connectrpc/connect";
import { pipe, transformDecompressEnvelope, transformParseEnvelope, transformSplitEnvelope, type Compression, type Serialization } from "@connectrpc/connect/protocol";

/** Options of {@link readRequestMessage}. */
export interface ReadRequestOptions<T> {
  /** Largest message, compressed or not; a larger one is `resource_exhausted` before it is read. */
  readMaxBytes: number;
  compression: Compression | null;
  serialization: Serialization<T>;
  /** The flag of an envelope that ends the body, skipped (gRPC-Web's trailers, Connect's end-stream). */
  endFlag?: number;
}

/**
 * Reads the one message of a server-streaming request's body, with connect's
 * own envelope reader, decompression and parser, and its rule that the body
 * holds exactly one message.
 */
export async function readRequestMessage<T>(body: AsyncIterable<Uint8Array>, options: ReadRequestOptions<T>): Promise<T> {
  const { readMaxBytes, compression, serialization, endFlag } = options;
  const messages = pipe(
    body,
    transformSplitEnvelope(readMaxBytes),
    transformDecompressEnvelope(compression, readMaxBytes),
    endFlag === undefined ? transformParseEnvelope(serialization) : transformParseEnvelope(serialization, endFlag),
  )[Symbol.asyncIterator]();
  const first = await messages.next();
  // The words and code of connect's invoke-implementation.ts (ensureSingle), which it does not export.
  if (first.done === true) throw new ConnectError("protocol error: missing input message for server-streaming method", Code.Unimplemented);
  const second = await messages.next();
  if (second.done !== true) throw new ConnectError("protocol error: received extra input message for server-streaming method", Code.Unimplemented);
  return first.value;
}
