import { ConnectError } from "@connectrpc/connect";
import { errors } from "../../core/errors.ts";
import { connectErrorFrom } from "../connect/connect-error-from.ts";

/** Options of {@link boundedBody}. */
export interface BoundedBodyOptions {
  /** The largest body in bytes: `readMaxBytes`, `TOKENWIRE_READ_MAX_BYTES`. */
  maxBytes: number;
  /** The body is a sequence of envelopes (gRPC, gRPC-Web, Connect's streams), each a 5-byte header with its length. */
  enveloped: boolean;
  /** The request's `Content-Length`, when it has one. */
  declaredBytes: number | undefined;
  /** Called once, when the body is refused. */
  onRefused: (error: ConnectError) => void;
}

/**
 * A request body that fails with `resource_exhausted`, in words that name
 * `TOKENWIRE_READ_MAX_BYTES`, once it is larger than `maxBytes`: as soon as
 * its `Content-Length` or an envelope's header says it will be, else at the
 * chunk that takes it past. It fails before connect-node's own check of the
 * same limit would, whose message names connect's `readMaxBytes` option.
 */
export async function* boundedBody(body: AsyncIterable<Uint8Array>, options: BoundedBodyOptions): AsyncGenerator<Uint8Array> {
  const refuse = (): ConnectError => {
    const error = connectErrorFrom(errors.requestTooLarge(options.maxBytes));
    options.onRefused(error);
    return error;
  };
  if ((options.declaredBytes ?? 0) > options.maxBytes) throw refuse();
  const envelopes = options.enveloped ? envelopeEnds() : undefined;
  let read = 0;
  for await (const chunk of body) {
    if ((envelopes?.(chunk, read) ?? 0) > options.maxBytes) throw refuse();
    read += chunk.byteLength;
    if (read > options.maxBytes) throw refuse();
    yield chunk;
  }
}

// Follows the envelopes' headers across chunks, and returns where the last envelope whose header has arrived ends.
function envelopeEnds(): (chunk: Uint8Array, offset: number) => number {
  let start = 0; // where the envelope whose header is being read begins
  let header: number[] = [];
  return (chunk, offset) => {
    for (let at = start + header.length - offset; at < chunk.byteLength; ) {
      header.push(chunk[at++]!);
      if (header.length < 5) continue;
      start += 5 + new DataView(Uint8Array.from(header).buffer).getUint32(1);
      header = [];
      at = start - offset;
    }
    return start;
  };
}
