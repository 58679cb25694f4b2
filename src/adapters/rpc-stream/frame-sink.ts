import type { ConnectError } from "@connectrpc/connect";
import { encodeEnvelopes, envelopeCompress, type Compression, type EnvelopedMessage } from "@connectrpc/connect/protocol";
import { enqueue, nextTurn, type Mergeable } from "../../core/iterator-sink.ts";
import type { TokenSink } from "../../core/token-sink.ts";
import { connectErrorFrom } from "../connect/connect-error-from.ts";

/**
 * The part of a `node:http` or `node:http2` response a frame sink writes:
 * both `ServerResponse` and `Http2ServerResponse` are one.
 */
export interface FrameWire {
  writeHead(status: number, headers: Record<string, string>): unknown;
  /** False when the wire is full: the sink waits for `drain` before it writes again. */
  write(chunk: Uint8Array): boolean;
  addTrailers(trailers: Record<string, string>): void;
  end(): unknown;
  once(event: "drain" | "close", listener: () => void): unknown;
  on(event: "error", listener: () => void): unknown;
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
  /** Headers an event adds to the head while it is not sent yet. */
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

/** A {@link TokenSink} that ends with a ConnectError as well as a TokenwireError. */
export interface FrameSink<E> extends TokenSink<E> {
  close(error?: unknown): void;
}

/**
 * A sink that writes each event as an enveloped message straight onto a
 * response. The first event goes out at once, with the head; the rest go out
 * once per turn of the event loop, so the tokens of one read of the upstream
 * make one write. While the wire is full the unsent deltas merge
 * (`canMerge`), and past the high-water mark the producer waits, which holds
 * back the upstream.
 */
export function createFrameSink<E extends Mergeable>(options: FrameSinkOptions<E>): FrameSink<E> {
  const { wire, header } = options;
  const highWaterMark = options.highWaterMark ?? 65536;
  const compressMinBytes = options.compressMinBytes ?? 1024;
  const pending: E[] = [];
  let text = 0; // characters of pending text
  let headSent = false;
  let scheduled = false;
  let busy = false; // waiting for the wire's drain or for a compression
  let closing: { error: ConnectError | undefined } | undefined;
  let finished = false;
  let gone = false;
  let producer: (() => void) | undefined;

  const release = (): void => {
    if (text > highWaterMark || !producer) return;
    producer();
    producer = undefined;
  };
  const leave = (): void => {
    if (finished || gone) return;
    gone = true;
    pending.length = 0;
    text = 0;
    release();
    options.onReturn?.();
  };
  wire.once("close", leave);
  wire.on("error", leave);

  const envelopes = (): EnvelopedMessage[] => {
    const list: EnvelopedMessage[] = [];
    for (const event of pending) {
      const data = options.encode(event);
      if (data) list.push({ flags: 0, data });
    }
    pending.length = 0;
    text = 0;
    return list;
  };

  const flush = (): void => {
    if (busy || gone || finished) return;
    const list = envelopes();
    const end = closing ? ending(closing.error) : undefined;
    if (end) list.push(...end);
    send(list);
    release();
  };

  // The status's frames: the failure's message (the seed's Answer.error), then the protocol's end.
  const ending = (error: ConnectError | undefined): EnvelopedMessage[] => {
    const list: EnvelopedMessage[] = [];
    const failure = error && options.failure?.(error);
    if (failure) list.push({ flags: 0, data: failure });
    const last = options.ending(wire, error);
    if (last) list.push(last);
    finished = true;
    return list;
  };

  const send = (list: EnvelopedMessage[]): void => {
    if (options.compression && list.some((envelope) => envelope.data.byteLength >= compressMinBytes)) {
      busy = true;
      void Promise.all(list.map((envelope) => envelopeCompress(envelope, options.compression!, compressMinBytes))).then((compressed) => {
        busy = false;
        if (!gone) out(compressed);
      }, leave);
      return;
    }
    out(list);
  };

  const out = (list: EnvelopedMessage[]): void => {
    if (!headSent) {
      headSent = true;
      wire.writeHead(200, header);
    }
    const full = list.length > 0 && !wire.write(encodeEnvelopes(...list));
    if (finished) return void wire.end();
    if (full) {
      busy = true;
      wire.once("drain", drained);
    } else if (pending.length > 0 || closing) {
      flush();
    }
  };

  function drained(): void {
    busy = false;
    if (pending.length > 0 || closing) flush();
  }

  const schedule = (): void => {
    if (scheduled || busy) return;
    scheduled = true;
    nextTurn(() => {
      scheduled = false;
      flush();
    });
  };

  return {
    write(event) {
      if (closing || gone) return;
      if (!headSent) Object.assign(header, options.headerOf?.(event));
      text += event.text?.length ?? 0;
      enqueue(pending, event);
      if (headSent) schedule();
      else flush(); // the first event goes at once: the client sees the head without waiting for a token
      if (text <= highWaterMark) return;
      return new Promise<void>((resolve) => (producer = resolve));
    },
    close(error) {
      if (closing || gone) return;
      closing = { error: error === undefined ? undefined : connectErrorFrom(error) };
      flush();
    },
  };
}
