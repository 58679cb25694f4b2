import type { ConnectError } from "@connectrpc/connect";
import { encodeEnvelopes, envelopeCompress, type Compression, type EnvelopedMessage } from "@connectrpc/connect/protocol";
import type { Mergeable } from "../../core/iterator-sink.ts";
import { connectErrorFrom } from "../connect/connect-error-from.ts";
import { createWireSink, type Wire, type WireSink } from "../wire-sink.ts";

/**
 * The part of a `node:http` or `node:http2` response a frame sink writes:
 * both `ServerResponse` and `Http2ServerResponse` are one.
 */
export interface FrameWire extends Wire {
  writeHead(status: number, headers: Record<string, string>): unknown;
  addTrailers(trailers: Record<string, string>): void;
}

/** How a protocol ends a stream's body: its last envelope, or trailers set on the wire (gRPC). */
export type StreamEnding = (wire: FrameWire, error: ConnectError | undefined) => EnvelopedMessage | undefined;

/** Options of {@link createFrameSink}. */
export interface FrameSinkOptions<E> {
  wire: FrameWire;
  /** The response head's headers, sent with the first event (or at the end, if none came). */
  header: Record<string, string>;
  /** The message bytes of an event; undefined for an event the RPC does not send. */
  encode(event: E): Uint8Array | undefined;
  /** Headers the first event adds to the head. */
  headerOf?(event: E): Record<string, string> | undefined;
  /** A message sent before the status of a failed stream whose reader is still there. */
  failure?(error: ConnectError): Uint8Array | undefined;
  ending: StreamEnding;
  /** Compresses every envelope of at least `compressMinBytes`; null for none. */
  compression?: Compression | null;
  compressMinBytes?: number;
  /** Characters of unsent text past which `write` asks the producer to wait; default 64 Ki. */
  highWaterMark?: number;
  /** Called once when the wire closes before the stream ended: the call should stop. */
  onReturn?: () => void;
}

/** A {@link WireSink} of an RPC's frames, on its wire from the start; it ends with a ConnectError as well as a TokenwireError. */
export type FrameSink<E> = Omit<WireSink<E>, "attach">;

/**
 * A sink that writes each event as an enveloped message straight onto a
 * response, and ends the body with the protocol's status: the wire sink's
 * pace, merging and back-pressure, in an RPC protocol's frames.
 */
export function createFrameSink<E extends Mergeable>(options: FrameSinkOptions<E>): FrameSink<E> {
  const { wire, header } = options;
  const compressMinBytes = options.compressMinBytes ?? 1024;

  // The status's frames: the failure's message (the seed's Answer.error), then the protocol's end.
  const ending = (reason: unknown): EnvelopedMessage[] => {
    const error = reason === undefined ? undefined : connectErrorFrom(reason);
    const list: EnvelopedMessage[] = [];
    const failure = error && options.failure?.(error);
    if (failure) list.push({ flags: 0, data: failure });
    const last = options.ending(wire, error);
    if (last) list.push(last);
    return list;
  };

  const sink = createWireSink<E>({
    highWaterMark: options.highWaterMark,
    onReturn: options.onReturn,
    open(events) {
      if (events[0]) Object.assign(header, options.headerOf?.(events[0]));
      wire.writeHead(200, header);
    },
    encode(events, end) {
      const list: EnvelopedMessage[] = [];
      for (const event of events) {
        const data = options.encode(event);
        if (data) list.push({ flags: 0, data });
      }
      if (end) list.push(...ending(end.error));
      const compression = options.compression;
      if (!compression || !list.some((envelope) => envelope.data.byteLength >= compressMinBytes)) return encodeEnvelopes(...list);
      return Promise.all(list.map((envelope) => envelopeCompress(envelope, compression, compressMinBytes))).then((compressed) => encodeEnvelopes(...compressed));
    },
  });
  sink.attach(wire);
  return { write: sink.write, close: sink.close };
}
