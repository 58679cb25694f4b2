import { openStream } from "./open-stream.ts";
import { runStream, type StreamSummary } from "./run-stream.ts";
import { sourceFor } from "./sources/source-for.ts";
import type { SourceRun, StreamingRunnable } from "./sources/token-source.ts";
import { createStreamControl, type StopOptions } from "./stream-control.ts";
import type { TokenEvent } from "./token-event.ts";
import type { TokenSink } from "./token-sink.ts";

/** Options of {@link streamTokens}. */
export interface StreamTokensOptions extends StopOptions {
  /** The model name reported in the started event; default `"unknown"`. */
  model?: string;
  /** Characters of unsent text before the model is held back; default 64 Ki. */
  highWaterMark?: number;
  /** LangChain's root run id, reported in the started event; random when unset. */
  runId?: string;
}

/**
 * Streams what any runnable produces in process: `for await (const event of
 * streamTokens(model, "Hello"))`. A chat model, a chain, a LangGraph graph or
 * agent: text, reasoning, tool calls and tool results, each with its origin.
 * Breaking out of the loop cancels the run; a failure throws a TokenwireError.
 */
export function streamTokens<I>(runnable: StreamingRunnable<I>, input: I, options: StreamTokensOptions = {}): AsyncIterable<TokenEvent> {
  return openStream(tokenSourceOf(runnable, input, options), { signals: [options.signal], timeoutMs: options.timeoutMs, highWaterMark: options.highWaterMark });
}

/** Options of {@link produceTokens}. */
export interface ProduceTokensOptions<I> extends StopOptions {
  runnable: StreamingRunnable<I>;
  input: I;
  model?: string;
  runId?: string;
}

/**
 * Streams a runnable's events into any {@link TokenSink} (a push-style
 * transport) and resolves with a summary once the sink is closed. Never throws.
 */
export function produceTokens<I>(sink: TokenSink<TokenEvent>, options: ProduceTokensOptions<I>): Promise<StreamSummary> {
  const control = createStreamControl({ signals: [options.signal], timeoutMs: options.timeoutMs });
  return runStream(sink, tokenSourceOf(options.runnable, options.input, options), { control });
}

/** @internal The event source of one runnable's run, for a stream to drive. */
export function tokenSourceOf<I>(runnable: StreamingRunnable<I>, input: I, options: { model?: string; runId?: string; onUsage?: SourceRun["onUsage"] }) {
  const source = sourceFor(runnable);
  return (signal: AbortSignal) =>
    source({ runnable, input, signal, model: options.model ?? "unknown", runId: options.runId ?? crypto.randomUUID(), onUsage: options.onUsage }) as AsyncIterable<TokenEvent>;
}
