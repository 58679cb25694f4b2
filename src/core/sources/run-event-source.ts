import type { RunnableConfig } from "@langchain/core/runnables";
import type { StreamEvent } from "@langchain/core/tracers/log_stream";
import type { RunEvent } from "../token-event.ts";
import { isMessageChunk, partsOf } from "./message-parts.ts";

/** Anything with LangChain's `.streamEvents()`: every runnable. */
export interface EventStreamingRunnable<I = unknown> {
  streamEvents(input: I, options: Partial<RunnableConfig> & { version: "v2" }): AsyncIterable<StreamEvent>;
}

/** The source of `streamEvents` v2: each LangChain run event, reduced to what crosses a wire. */
export async function* runEventSource<I>(run: { runnable: EventStreamingRunnable<I>; input: I; runId: string; signal: AbortSignal }): AsyncGenerator<RunEvent> {
  for await (const event of run.runnable.streamEvents(run.input, { version: "v2", signal: run.signal, runId: run.runId })) {
    yield runEventFrom(event);
  }
}

function runEventFrom(event: StreamEvent): RunEvent {
  const chunk = (event.data as { chunk?: unknown }).chunk;
  return { seq: 0, event: event.event, name: event.name, runId: event.run_id, tags: event.tags ?? [], text: textOf(chunk), data: event.data };
}

function textOf(chunk: unknown): string {
  if (typeof chunk === "string") return chunk;
  if (!isMessageChunk(chunk)) return "";
  return partsOf(chunk, undefined).map((part) => (part.type === "delta" ? part.text : "")).join("");
}
