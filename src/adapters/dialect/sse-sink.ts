import { createIteratorSink } from "../../core/iterator-sink.ts";
import type { TokenEvent } from "../../core/token-event.ts";
import type { TokenSink } from "../../core/token-sink.ts";
import type { TokenwireError } from "../../core/tokenwire-error.ts";

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
  /** Called once when the reader stops reading before the stream ended: the call should stop. */
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
  /** The frames, as the reader pulls them; read once. */
  frames(): AsyncGenerator<string>;
  /** The same frames as bytes, for a fetch `Response`; read once. */
  body(): ReadableStream<Uint8Array>;
}

/**
 * A sink that turns events into a dialect's SSE frames as the reader pulls
 * them. It queues through the core's iterator sink, so a reader that falls
 * behind gets merged deltas and holds the model back past the high-water mark,
 * exactly as `for await` readers do.
 */
export function createSseSink(encoder: SseEncoder, options: SseSinkOptions = {}): SseSink {
  const queue = createIteratorSink<TokenEvent>(options);
  let settle: (error: TokenwireError | undefined) => void = () => {};
  const head = new Promise<TokenwireError | undefined>((resolve) => (settle = resolve));
  let answered = false;
  async function* frames(): AsyncGenerator<string> {
    try {
      for await (const event of queue) {
        const text = encoder.event(event);
        if (text) yield text;
      }
      yield encoder.end(undefined);
    } catch (reason) {
      yield encoder.end(reason as TokenwireError);
    }
  }
  return {
    head,
    write(event) {
      if (!answered && event.type !== "started") {
        answered = true;
        settle(undefined);
      }
      return queue.write(event);
    },
    close(error) {
      settle(answered ? undefined : error);
      queue.close(error);
    },
    frames,
    body: () => byteStream(frames(), options.onReturn),
  };
}

/** One SSE frame: the event's sequence as its id (where a reconnecting reader would resume), and its JSON. */
export function sseFrame(seq: number, data: unknown): string {
  return `id: ${seq}\ndata: ${JSON.stringify(data)}\n\n`;
}

/** The last frame of a stream that finished well, in both dialects. */
export const doneFrame = "data: [DONE]\n\n";

// Pulled one frame per read (high-water mark 0), so the reader's pace reaches the sink. A cancel stops the call at
// once: the generator cannot return while it waits for the next event, which a stalled model may never send.
function byteStream(frames: AsyncGenerator<string>, onReturn: (() => void) | undefined): ReadableStream<Uint8Array> {
  const bytes = new TextEncoder();
  return new ReadableStream<Uint8Array>(
    {
      async pull(controller) {
        const { done, value } = await frames.next();
        if (done) controller.close();
        else controller.enqueue(bytes.encode(value));
      },
      cancel() {
        onReturn?.();
        void frames.return(undefined);
      },
    },
    { highWaterMark: 0 },
  );
}
