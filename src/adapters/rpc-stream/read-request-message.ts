import { Code, ConnectError } from "@connectrpc/connect";
import { envelopeDecompress, type Compression, type EnvelopedMessage, type Serialization } from "@connectrpc/connect/protocol";

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
 * decompression and parser, and its rules and words: a message past
 * `readMaxBytes` is refused from its head, a body that ends inside an
 * envelope is incomplete, and the body holds exactly one message. Envelopes
 * are split here rather than by connect's iterable pipeline, whose emulated
 * async generators cost a stream's start many times what the rest of this read does.
 */
export async function readRequestMessage<T>(body: AsyncIterable<Uint8Array>, options: ReadRequestOptions<T>): Promise<T> {
  const { readMaxBytes, compression, serialization, endFlag } = options;
  const envelopes = envelopeSplitter(readMaxBytes);
  let message: { value: T } | undefined;
  const take = async (envelope: EnvelopedMessage): Promise<void> => {
    const { flags, data } = await envelopeDecompress(envelope, compression, readMaxBytes);
    if (endFlag !== undefined && (flags & endFlag) === endFlag) return;
    // The words and code of connect's invoke-implementation.ts (ensureSingle), which it does not export.
    if (message) throw new ConnectError("protocol error: received extra input message for server-streaming method", Code.Unimplemented);
    message = { value: serialization.parse(data) };
  };
  for await (const chunk of body) for (const envelope of envelopes.push(chunk)) await take(envelope);
  if (envelopes.pending > 0) throw new ConnectError("protocol error: incomplete envelope", Code.InvalidArgument);
  if (!message) throw new ConnectError("protocol error: missing input message for server-streaming method", Code.Unimplemented);
  return message.value;
}

// Envelopes as they complete: a flags byte and a 4-byte big-endian length, then the message.
function envelopeSplitter(readMaxBytes: number) {
  let buffer: Uint8Array = new Uint8Array(0);
  return {
    get pending() {
      return buffer.byteLength;
    },
    push(chunk: Uint8Array): EnvelopedMessage[] {
      buffer = buffer.byteLength === 0 ? chunk : Buffer.concat([buffer, chunk]);
      const complete: EnvelopedMessage[] = [];
      while (buffer.byteLength >= 5) {
        const length = new DataView(buffer.buffer, buffer.byteOffset, 5).getUint32(1);
        // connect's words for a message past the bound (limit-io.ts's assertReadMaxBytes, which it does not export).
        if (length > readMaxBytes) throw new ConnectError(`message size ${length} is larger than configured readMaxBytes ${readMaxBytes}`, Code.ResourceExhausted);
        if (buffer.byteLength < 5 + length) break;
        complete.push({ flags: buffer[0]!, data: buffer.subarray(5, 5 + length) });
        buffer = buffer.subarray(5 + length);
      }
      return complete;
    },
  };
}
