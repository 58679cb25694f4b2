import { ensureConfig, type RunnableConfig } from "@langchain/core/runnables";
import { errors } from "../errors.ts";
import type { Usage } from "../token-event.ts";
import { addUsage, finishedPart, isMessageChunk, partsOf, rawFinishReason, type MessageChunk } from "./message-parts.ts";
import { createToolCallAssembler } from "./tool-call-assembler.ts";
import { startedEvent, type SourceEvent, type SourceRun } from "./token-source.ts";

/**
 * The source for runnables whose own `.stream()` yields the tokens: a chat
 * model, or a chain that ends in one or in a string parser. Message chunks
 * give every part; strings are text; anything else cannot be streamed.
 */
export async function* chunkSource<I>(run: SourceRun<I>): AsyncGenerator<SourceEvent> {
  yield startedEvent(run);
  const toolCalls = createToolCallAssembler();
  let finishReason: string | undefined;
  let usage: Usage | undefined;
  let sawMessages = false;
  let chunks = 0;
  for await (const chunk of await chunksOf(run)) {
    chunks++;
    if (typeof chunk === "string") {
      if (chunk !== "") yield { type: "delta", text: chunk };
      continue;
    }
    if (!isMessageChunk(chunk)) throw errors.notTokens(describe(chunk));
    sawMessages = true;
    finishReason = rawFinishReason(chunk) ?? finishReason;
    usage = addUsage(usage, chunk);
    if (isPlainText(chunk)) {
      // Most tokens: one text delta, with no parts array to build.
      if (chunk.content !== "") yield { type: "delta", text: chunk.content };
      continue;
    }
    for (const part of partsOf(chunk, undefined)) {
      if (part.type === "tool_call_delta") toolCalls.add(part);
      yield part;
    }
  }
  // LangChain's chat models end quietly when their signal aborts: the stream asks the signal, not this source.
  if (run.signal.aborted) return;
  // A model's reply always holds chunks (the first carries the role): none at all is a body that was no stream.
  if (chunks === 0) throw errors.upstreamNoChunks();
  if (sawMessages && finishReason === undefined) throw errors.noFinishReason();
  yield* toolCalls.finish(undefined);
  yield finishedPart(finishReason, usage);
}

/** A runnable that streams through its own generator, as every LangChain runnable does under `.stream()`. */
interface GeneratorStreaming {
  _streamIterator(input: unknown, config: RunnableConfig): AsyncGenerator<unknown>;
}

/**
 * A chat model's chunks, read from its own generator: the same chunks and
 * callbacks as `.stream()`, without the web stream that `.stream()` wraps them
 * in and the context it re-enters for every chunk, which cost more per token
 * than the rest of a stream's path (BENCHMARKS.md). A chat model needs neither:
 * it calls nothing nested that reads the context, and it stops on the signal
 * itself, checked after every chunk and handed to its client. Any other
 * runnable streams through `.stream()`.
 */
function chunksOf<I>(run: SourceRun<I>): AsyncIterable<unknown> | Promise<AsyncIterable<unknown>> {
  const config = { signal: run.signal, runId: run.runId };
  if (!isChatModel(run.runnable)) return run.runnable.stream(run.input, config);
  return run.runnable._streamIterator(run.input, ensureConfig(config));
}

// A chat model, or one bound to call options (the catalog's stop sequences): it has a chunk generator of its own.
function isChatModel(runnable: unknown): runnable is GeneratorStreaming {
  const model = (runnable as { bound?: unknown }).bound ?? runnable;
  return typeof (model as { _streamResponseChunks?: unknown })._streamResponseChunks === "function" && typeof (runnable as Partial<GeneratorStreaming>)._streamIterator === "function";
}

function isPlainText(chunk: MessageChunk): chunk is MessageChunk & { content: string } {
  return typeof chunk.content === "string" && chunk.additional_kwargs?.reasoning_content === undefined && !chunk.tool_call_chunks?.length;
}

/** @internal What a value is, in a few words for an error message. */
export function describe(value: unknown): string {
  if (value === null || value === undefined) return String(value);
  if (Array.isArray(value)) return "an array";
  return typeof value === "object" ? "an object" : `a ${typeof value}`;
}
