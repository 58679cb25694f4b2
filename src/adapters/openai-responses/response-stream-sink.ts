import type { TokenEvent } from "../../core/token-event.ts";
import type { TokenwireError } from "../../core/tokenwire-error.ts";
import { createSseSink, type SseEncoder, type SseSink, type SseSinkOptions } from "../dialect/sse-sink.ts";
import type { ResponseBuilder, ResponseEvent } from "./response-builder.ts";

/** Options of {@link createResponseStreamSink}. */
export interface ResponseStreamSinkOptions extends SseSinkOptions {
  /** The response the stream's events build. */
  builder: ResponseBuilder;
}

/** Options of {@link createResponseReadSink}. */
export interface ResponseReadSinkOptions extends ResponseStreamSinkOptions {
  /** The last `sequence_number` the reader has: it gets the events after it. Default -1, the whole stream. */
  startingAfter?: number;
}

// Each of tokenwire's events owns the sequence numbers from `seq * slots`: a number says which event wrote it and
// where among that event's frames, the same on every replica that renders the stream from its log, however its
// reader merged deltas. An event writes at most seven frames of structure; a delta's own frame takes the last slot.
const slots = 8;
const mergeable = new Set<string>(["delta", "reasoning", "tool_call_delta"]);

/**
 * A sink that writes OpenAI's Responses API stream: `response.created` and
 * `response.in_progress`, each output item from `response.output_item.added`
 * through its parts and deltas to `response.output_item.done`, then
 * `response.completed` (or `response.incomplete`), or an `error` event and
 * `response.failed`. Each frame's `sequence_number` (and SSE `id`) derives
 * from the sequence of the event that wrote it.
 */
export function createResponseStreamSink(options: ResponseStreamSinkOptions): SseSink {
  return createSseSink(responseEncoder(options.builder, -1), options);
}

/**
 * The same stream for a reader of a kept response, from its log: the events
 * up to `startingAfter` build the response without being written, so that
 * the reader gets exactly the frames after it. It answers once the log is
 * read up to there, or with the error that the read ended with first.
 */
export function createResponseReadSink(options: ResponseReadSinkOptions): SseSink {
  const startingAfter = options.startingAfter ?? -1;
  const encoder = responseEncoder(options.builder, startingAfter);
  const sse = createSseSink(encoder, options);
  // The last event of which the reader has had a frame: every event up to it is applied before the reply begins.
  const through = Math.floor(startingAfter / slots);
  let settle: (error: TokenwireError | undefined) => void = () => {};
  const head = new Promise<TokenwireError | undefined>((resolve) => (settle = resolve));
  let started: TokenEvent | undefined;
  let read = false;
  return {
    ...sse,
    head,
    write(event) {
      read = true;
      if (event.seq > through) {
        settle(undefined);
        return sse.write(event);
      }
      if (event.type === "started") started = event;
      encoder.apply(event);
      if (event.seq !== through) return;
      settle(undefined);
      // A copy of `started` at the last applied sequence, which merges with nothing: it writes the frames of that
      // event that the reader lacks at once, not with the next event.
      if (started) void sse.write({ ...started, seq: through });
    },
    close(error) {
      settle(read ? undefined : error);
      sse.close(error);
    },
  };
}

interface ResponseEncoder extends SseEncoder {
  /** Takes an event the reader has had some frames of: the frames after `startingAfter` wait for the next write. */
  apply(event: TokenEvent): void;
}

function responseEncoder(builder: ResponseBuilder, startingAfter: number): ResponseEncoder {
  let lastSeq = -1;
  let held = "";
  const framesOf = (events: ResponseEvent[], numberOf: (event: ResponseEvent, index: number) => number): string => {
    let text = "";
    events.forEach((event, index) => {
      const sequence = numberOf(event, index);
      if (sequence > startingAfter) text += frame(sequence, event);
    });
    return text;
  };
  const render = (event: TokenEvent): string => {
    const events = event.seq > lastSeq ? builder.event(event) : [];
    // A merged delta's structure numbers from the first event it holds, its delta from the last.
    const isDelta = mergeable.has(event.type);
    const first = isDelta ? lastSeq + 1 : event.seq;
    lastSeq = Math.max(lastSeq, event.seq);
    let slot = 0;
    return framesOf(events, (written) => (isDelta && written.type.endsWith(".delta") ? event.seq * slots + slots - 1 : first * slots + slot++));
  };
  const take = (): string => {
    const text = held;
    held = "";
    return text;
  };
  return {
    apply(event) {
      held += render(event);
    },
    // An event at or before the last one taken only writes what waits.
    event: (event) => take() + render(event),
    end(error) {
      const first = lastSeq + 1;
      return take() + framesOf(builder.end(error), (_, index) => first * slots + index);
    },
  };
}

// OpenAI names each frame's event as its type; the number is also the frame's id, where a reconnecting reader resumes.
function frame(sequence: number, event: ResponseEvent): string {
  return `id: ${sequence}\nevent: ${event.type}\ndata: ${JSON.stringify({ ...event, sequence_number: sequence })}\n\n`;
}
