import type { RunnableConfig } from "@langchain/core/runnables";
import type { StreamEvent } from "@langchain/core/tracers/log_stream";
import { readChunk } from "./read-chunk.ts";
import { createStreamSignal, type StopOptions } from "./stream-signal.ts";
import type { RunEvent } from "./token-event.ts";
import type { TokenSink } from "./token-sink.ts";
import { TokenwireError } from "./tokenwire-error.ts";

/** Anything with LangChain's `.streamEvents()`: every runnable. */
export interface EventStreamingRunnable<I> {
  streamEvents(input: I, options: Partial<RunnableConfig> & { version: "v2" }): AsyncIterable<StreamEvent>;
}

/** Options of {@link produceRunEvents}. */
export interface ProduceRunEventsOptions<I> extends StopOptions {
  runnable: EventStreamingRunnable<I>;
  input: I;
  runId?: string;
}

/**
 * Runs a runnable with `.streamEvents()` (v2) and writes each step, from the
 * chain's start to its end, into the sink. Never throws: failures close the
 * sink with a {@link TokenwireError}.
 */
export async function produceRunEvents<I>(sink: TokenSink<RunEvent>, options: ProduceRunEventsOptions<I>): Promise<TokenwireError | undefined> {
  const stop = createStreamSignal(options);
  let seq = 0;
  try {
    const events = options.runnable.streamEvents(options.input, { version: "v2", signal: stop.signal, runId: options.runId });
    for await (const event of events) {
      const wait = sink.write(runEventFrom(event, seq++));
      if (wait) await wait;
    }
    const stopped = stop.stopReason();
    if (stopped) throw stopped;
    sink.close();
    return undefined;
  } catch (reason) {
    const error = stop.stopReason() ?? TokenwireError.from(reason);
    sink.close(error);
    return error;
  } finally {
    stop.dispose();
  }
}

function runEventFrom(event: StreamEvent, seq: number): RunEvent {
  const chunk = (event.data as { chunk?: unknown }).chunk;
  return {
    seq,
    event: event.event,
    name: event.name,
    runId: event.run_id,
    tags: event.tags ?? [],
    text: chunk === undefined ? "" : readChunk(chunk).text,
    data: event.data,
  };
}
