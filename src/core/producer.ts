import type { RunnableConfig } from "@langchain/core/runnables";
import type { FinishReason, TokenEvent, Usage } from "./token-event.ts";
import type { TokenSink } from "./token-sink.ts";
import { createStreamSignal, type StopOptions } from "./stream-signal.ts";
import { TokenwireError } from "./tokenwire-error.ts";
import { readChunk } from "./read-chunk.ts";

/** Anything with LangChain's `.stream()`: a chat model, or a chain that ends in one. */
export interface StreamingRunnable<I> {
  stream(input: I, options?: Partial<RunnableConfig>): Promise<AsyncIterable<unknown>>;
}

/** Options of {@link produceTokens}. */
export interface ProduceTokensOptions<I> extends StopOptions {
  runnable: StreamingRunnable<I>;
  input: I;
  /** The model name reported in the started event. */
  model: string;
  /** Reported in the started event and used as LangChain's root run id; random when unset. */
  runId?: string;
}

/** What a finished stream amounts to, for logs and metrics. */
export interface StreamSummary {
  runId: string;
  /** Deltas written; merged deltas count once per token. */
  tokens: number;
  /** Milliseconds from the call to the first token, if one came. */
  timeToFirstTokenMs: number | undefined;
  durationMs: number;
  usage: Usage | undefined;
  error: TokenwireError | undefined;
}

/**
 * Runs a runnable with `.stream()` and writes started, deltas and finished
 * into the sink, then closes it with the outcome. Never throws: failures
 * close the sink with a {@link TokenwireError}.
 */
export async function produceTokens<I>(sink: TokenSink<TokenEvent>, options: ProduceTokensOptions<I>): Promise<StreamSummary> {
  const started = performance.now();
  const runId = options.runId ?? crypto.randomUUID();
  const stop = createStreamSignal(options);
  const summary: StreamSummary = { runId, tokens: 0, timeToFirstTokenMs: undefined, durationMs: 0, usage: undefined, error: undefined };
  let finishReason: FinishReason | undefined;
  let sawMessages = false;
  try {
    await sink.write({ type: "started", seq: 0, runId, model: options.model });
    const stream = await options.runnable.stream(options.input, { signal: stop.signal, runId });
    for await (const chunk of stream) {
      const { text, finish, usage, isMessage } = readChunk(chunk);
      sawMessages ||= isMessage;
      finishReason = finish ?? finishReason;
      summary.usage = usage ?? summary.usage;
      if (text === "") continue;
      if (summary.tokens === 0) summary.timeToFirstTokenMs = performance.now() - started;
      const wait = sink.write({ type: "delta", seq: ++summary.tokens, text });
      if (wait) await wait;
    }
    // LangChain's chat models end quietly when their signal aborts: ask the signal, not the stream.
    const stopped = stop.stopReason();
    if (stopped) throw stopped;
    if (sawMessages && finishReason === undefined) {
      throw new TokenwireError("unavailable", "the model's stream ended without a finish reason");
    }
    await sink.write({ type: "finished", seq: summary.tokens + 1, finishReason: finishReason ?? "stop", usage: summary.usage });
    sink.close();
  } catch (reason) {
    summary.error = stop.stopReason() ?? TokenwireError.from(reason);
    sink.close(summary.error);
  }
  stop.dispose();
  summary.durationMs = performance.now() - started;
  return summary;
}
