import { createIteratorSink } from "./iterator-sink.ts";
import { produceTokens, type StreamingRunnable } from "./producer.ts";
import { linkSignals, type StopOptions } from "./stream-signal.ts";
import type { TokenEvent } from "./token-event.ts";

/** Options of {@link streamTokens}. */
export interface StreamTokensOptions extends StopOptions {
  /** The model name reported in the started event; default `"unknown"`. */
  model?: string;
  /** Characters of unsent text before the model is held back; default 64 Ki. */
  highWaterMark?: number;
}

/**
 * Streams a runnable's tokens in process: `for await (const event of
 * streamTokens(model, "Hello"))`. Breaking out of the loop cancels the model call.
 * A failed stream throws a {@link TokenwireError} from the loop.
 */
export function streamTokens<I>(runnable: StreamingRunnable<I>, input: I, options: StreamTokensOptions = {}): AsyncIterable<TokenEvent> {
  return {
    [Symbol.asyncIterator]() {
      // Aborted by the caller's signal or by the loop ending early, as createTokenwire's streams are.
      const controller = new AbortController();
      const link = linkSignals(controller, [options.signal]);
      const sink = createIteratorSink<TokenEvent>({ highWaterMark: options.highWaterMark, onReturn: () => controller.abort() });
      const { signal } = controller;
      void produceTokens(sink, { runnable, input, model: options.model ?? "unknown", signal, timeoutMs: options.timeoutMs }).finally(link.dispose);
      return sink[Symbol.asyncIterator]();
    },
  };
}
