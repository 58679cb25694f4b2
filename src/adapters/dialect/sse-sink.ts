import type { TokenEvent } from "../../core/token-event.ts";
import type { TokenSink } from "../../core/token-sink.ts";
import type { TokenwireError } from "../../core/tokenwire-error.ts";
import { createWireSink, readableWire, type Wire } from "../wire-sink.ts";

/** How a dialect spells a stream as server-sent events. */
export interface SseEncoder {
  /** The frames of one event; empty for an event the dialect has no words for. */
  event(event: TokenEvent): string;
  /** The last frames: after a stream that finished well, or for the error that ended it. */
  end(error: TokenwireError | undefined): string;
}

/** Options of {@link createSseSink}. */
export interface SseSinkOptions {
  /** Characters of unsent text past which `write` asks the producer to wait; default 64 Ki. */
  highWaterMark?: number;
  /** Called once when the reader goes away before the stream ended: the call should stop. */
  onReturn?: () => void;
}

/** A {@link TokenSink} whose far side is a dialect's server-sent events. */
export interface SseSink extends TokenSink<TokenEvent> {
  /**
   * Resolves once the reply's status is known: at the first part after
   * `started` (the upstream has answered), or at the end. It holds the error
   * when the stream failed before any part, which then goes out as an HTTP
   * error, not as an event.
   */
  readonly head: Promise<TokenwireError | undefined>;
  /** Writes the frames onto a response whose head is sent: what was written before goes first. Once. */
  attach(wire: Wire): void;
  /** The frames as a fetch `Response`'s body, at its reader's pace. Once, instead of `attach`. */
  body(): ReadableStream<Uint8Array>;
}

/**
 * A sink that writes a dialect's SSE frames onto the response itself. Until
 * the reply's head is out, events wait; after it, a reader that falls behind
 * gets merged deltas and holds the model back past the high-water mark, as
 * every wire's sink does.
 */
export function createSseSink(encoder: SseEncoder, options: SseSinkOptions = {}): SseSink {
  let settle: (error: TokenwireError | undefined) => void = () => {};
  const head = new Promise<TokenwireError | undefined>((resolve) => (settle = resolve));
  let answered = false;
  const sink = createWireSink<TokenEvent>({
    ...options,
    encode(events, end) {
      let frames = "";
      for (const event of events) frames += encoder.event(event);
      return end ? frames + encoder.end(end.error as TokenwireError | undefined) : frames;
    },
  });
  return {
    head,
    write(event) {
      if (!answered && event.type !== "started") {
        answered = true;
        settle(undefined);
      }
      return sink.write(event);
    },
    close(error) {
      settle(answered ? undefined : error);
      sink.close(error);
    },
    attach: sink.attach,
    body() {
      const { wire, stream } = readableWire();
      sink.attach(wire);
      return stream;
    },
  };
}

/** One SSE frame: the event's sequence as its id (where a reconnecting reader would resume), and its JSON. */
export function sseFrame(seq: number, data: unknown): string {
  return `id: ${seq}\ndata: ${JSON.stringify(data)}\n\n`;
}

/** The last frame of a stream that finished well, in both dialects. */
export const doneFrame = "data: [DONE]\n\n";
