import { errorFromUpstream } from "./error-from-upstream.ts";
import { watchIdle } from "./idle-watch.ts";
import type { StreamControl } from "./stream-control.ts";
import type { Usage } from "./token-event.ts";
import type { TokenSink } from "./token-sink.ts";
import type { TokenwireError } from "./tokenwire-error.ts";

/** The fields of an event the stream reads: it numbers every event and counts the ones with text. */
export interface StreamedEvent {
  seq: number;
  type?: string;
  text?: string;
  runId?: string;
  usage?: Usage | undefined;
  finishReason?: string;
}

/** What a finished stream amounts to, for logs and metrics. */
export interface StreamSummary {
  runId: string | undefined;
  /** Events with text written (deltas, reasoning, tool-call pieces), each counted before merging. */
  tokens: number;
  /** Milliseconds from the start to the first event with text, if one came. */
  timeToFirstTokenMs: number | undefined;
  durationMs: number;
  usage: Usage | undefined;
  /** Why the model stopped (`stop`, `length`, `tool_calls`…), when the stream finished. */
  finishReason: string | undefined;
  error: TokenwireError | undefined;
}

/** Where a stream's events come from: called once with the stream's signal; may first admit the call. */
export type EventSource<E> = (signal: AbortSignal) => AsyncIterable<E> | Promise<AsyncIterable<E>>;

/** How {@link runStream} runs one stream. */
export interface RunStreamOptions {
  /** The stream's one signal and why it stopped. */
  control: StreamControl;
  /** The sequence of the first event; default 0. A resumed read starts after what its reader has. */
  firstSeq?: number;
  /** Milliseconds the source may stay silent, while the sink is not holding it back, before the stream ends `unavailable`. */
  idleMs?: number;
}

/**
 * The life of one stream, in one place: runs the source under the stream's
 * control, numbers its events (`seq` strictly increasing from 0), writes them
 * into the sink and waits when the sink asks, then closes the sink with the
 * outcome, which a stop (cancel, deadline, shutdown) decides over anything the
 * source threw. Never throws.
 */
export async function runStream<E extends StreamedEvent>(sink: TokenSink<E>, source: EventSource<E>, options: RunStreamOptions): Promise<StreamSummary> {
  const { control, firstSeq = 0 } = options;
  const started = performance.now();
  const summary: StreamSummary = { runId: undefined, tokens: 0, timeToFirstTokenMs: undefined, durationMs: 0, usage: undefined, finishReason: undefined, error: undefined };
  const idle = options.idleMs === undefined ? undefined : watchIdle(control, options.idleMs);
  let seq = firstSeq;
  try {
    for await (const event of await source(control.signal)) {
      idle?.heard();
      event.seq = seq++;
      if (event.text) {
        summary.timeToFirstTokenMs ??= performance.now() - started;
        summary.tokens++;
      } else if (event.type === "started") summary.runId = event.runId;
      else if (event.type === "finished") {
        summary.usage = event.usage;
        summary.finishReason = event.finishReason;
      }
      const wait = sink.write(event);
      if (wait) await idle?.during(wait) ?? wait;
    }
    // LangChain's chat models end quietly when their signal aborts: ask the control, not the source.
    const stopped = control.stopReason();
    if (stopped) throw stopped;
    sink.close();
  } catch (reason) {
    summary.error = control.stopReason() ?? errorFromUpstream(reason);
    sink.close(summary.error);
  } finally {
    idle?.dispose();
    control.dispose();
  }
  summary.durationMs = performance.now() - started;
  return summary;
}
