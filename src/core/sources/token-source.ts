import type { RunnableConfig } from "@langchain/core/runnables";
import type { TokenEvent, TokenPart, Usage } from "../token-event.ts";

/** Anything with LangChain's `.stream()`: every runnable. */
export interface StreamingRunnable<I = unknown> {
  stream(input: I, options?: Partial<RunnableConfig>): Promise<AsyncIterable<unknown>>;
}

/** One run of a runnable, as a source receives it. */
export interface SourceRun<I = unknown> {
  runnable: StreamingRunnable<I>;
  input: I;
  /** The model name the started event reports. */
  model: string;
  /** LangChain's root run id, reported in the started event. */
  runId: string;
  /** The stream's one signal: the source passes it to LangChain and knows nothing else of stopping. */
  signal: AbortSignal;
  /** Told the usage of the model calls that have finished so far, summed, as each finishes: what a stream stopped before its end still knows. */
  onUsage?: (usage: Usage) => void;
}

/** An event a source yields; the stream numbers it. */
export type SourceEvent = Extract<TokenEvent, { type: "started" }> | TokenPart;

/**
 * A plain async generator of one kind of runnable's events: started first,
 * then its parts, then finished. It knows nothing of sinks, numbering or
 * stopping; a failure is thrown.
 */
export type TokenSource = <I>(run: SourceRun<I>) => AsyncGenerator<SourceEvent>;

/** The started event every source yields first. @internal */
export function startedEvent({ runId, model }: SourceRun<unknown>): SourceEvent {
  return { type: "started", seq: 0, runId, model };
}
