import { createIteratorSink } from "./iterator-sink.ts";
import { runStream, type EventSource, type StreamSummary, type StreamedEvent } from "./run-stream.ts";
import { createStreamControl, type StreamControl } from "./stream-control.ts";
import type { TokenSink } from "./token-sink.ts";

/** Options of {@link openStream}. */
export interface OpenStreamOptions {
  /** The caller's signal, the server's, …: the stream stops when any aborts. */
  signals?: readonly (AbortSignal | undefined)[];
  /** Milliseconds the whole stream may take. */
  timeoutMs?: number;
  /** Characters of unread text before the source is held back; default 64 Ki. */
  highWaterMark?: number;
  /** Runs the stream's start; by default at once. */
  schedule?: (start: () => void) => void;
  /** Called once the stream has ended, however it ended. */
  onEnd?: (summary: StreamSummary) => void;
  /** The sequence of the first event; default 0. */
  firstSeq?: number;
  /** Milliseconds the source may stay silent before the stream ends `unavailable`; unset for no bound. */
  idleMs?: number;
}

/**
 * A stream read with `for await`: each iteration runs the source through
 * {@link runStream} into an iterator sink. Leaving the loop early stops the
 * source as a cancel; a failure is thrown from the loop as a TokenwireError.
 */
export function openStream<E extends StreamedEvent>(source: EventSource<E>, options: OpenStreamOptions = {}): AsyncIterable<E> {
  return pullStream(
    (sink, control) => {
      // Ended by the control's signal even if the reader never resumes, so onEnd always runs.
      const start = (): void => void runStream(sink, source, { control, firstSeq: options.firstSeq, idleMs: options.idleMs }).then(options.onEnd);
      if (options.schedule) options.schedule(start);
      else start();
    },
    { highWaterMark: options.highWaterMark, control: () => createStreamControl(options) },
  );
}

/**
 * A push-style stream read with `for await`: each iteration makes the
 * stream's control and an iterator sink, and hands both to `push`, which
 * writes the stream into the sink. Leaving the loop early aborts the control
 * as a cancel.
 * @internal
 */
export function pullStream<E extends StreamedEvent>(
  push: (sink: TokenSink<E>, control: StreamControl) => void,
  options: { highWaterMark?: number; control: () => StreamControl },
): AsyncIterable<E> {
  return {
    [Symbol.asyncIterator]() {
      const control = options.control();
      const sink = createIteratorSink<E>({ highWaterMark: options.highWaterMark, onReturn: () => control.abort() });
      push(sink, control);
      return sink[Symbol.asyncIterator]();
    },
  };
}
