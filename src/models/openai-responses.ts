import { ChatOpenAIResponses, type OpenAIClient } from "@langchain/openai";
import type { CallbackManagerForLLMRun } from "@langchain/core/callbacks/manager";
import type { AIMessageChunk, BaseMessage } from "@langchain/core/messages";
import type { ChatGenerationChunk } from "@langchain/core/outputs";
import { errors } from "../core/errors.ts";

type StreamingRequest = OpenAIClient.Responses.ResponseCreateParamsStreaming;
type PlainRequest = OpenAIClient.Responses.ResponseCreateParamsNonStreaming;
type StreamEvent = OpenAIClient.Responses.ResponseStreamEvent;
type Response = OpenAIClient.Responses.Response;

// Why a response stopped short, in the words the rest of tokenwire reads; one not listed passes as it is.
const incompleteReasons: Record<string, string> = { max_output_tokens: "length", content_filter: "content_filter" };

/**
 * OpenAI's Responses API client whose stream reads as every other chat
 * model's: reasoning summaries arrive as `reasoning` parts, a paragraph
 * between two parts of a summary; the last chunk carries
 * `response_metadata.finish_reason` (`stop`, `tool_calls` for a reply that
 * calls a function, `length` for one cut at `max_output_tokens`), which
 * LangChain's client leaves out, and adds no content; a `response.failed`
 * event fails the stream rather than ending it quietly.
 */
export class OpenAIResponses extends ChatOpenAIResponses {
  override completionWithRetry(request: StreamingRequest, options?: OpenAIClient.RequestOptions): Promise<AsyncIterable<StreamEvent>>;
  override completionWithRetry(request: PlainRequest, options?: OpenAIClient.RequestOptions): Promise<Response>;
  override async completionWithRetry(request: StreamingRequest | PlainRequest, options?: OpenAIClient.RequestOptions): Promise<AsyncIterable<StreamEvent> | Response> {
    if (!request.stream) return super.completionWithRetry(request as PlainRequest, options);
    return readableEvents(await super.completionWithRetry(request as StreamingRequest, options));
  }

  override async *_streamResponseChunks(
    messages: BaseMessage[],
    options: this["ParsedCallOptions"],
    runManager?: CallbackManagerForLLMRun,
  ): AsyncGenerator<ChatGenerationChunk> {
    // Changed before the chunk is passed on: the parent hands the same chunk to the callbacks once it resumes.
    for await (const chunk of super._streamResponseChunks(messages, options, runManager)) yield finished(chunk);
  }
}

/**
 * The upstream's events as the parent reads them, but for two: a summary
 * streams in parts (each a titled paragraph), and a new part's first piece
 * starts a paragraph rather than running on from the last word of the part
 * before; `response.failed` throws. Returned early, it returns the client's
 * stream, which ends the request.
 */
async function* readableEvents(events: AsyncIterable<StreamEvent>): AsyncGenerator<StreamEvent> {
  let part: string | undefined;
  for await (const event of events) {
    if (event.type === "response.failed") throw errors.upstreamErrorEvent(event.response.error);
    if (event.type !== "response.reasoning_summary_text.delta") {
      yield event;
      continue;
    }
    const next = `${event.item_id}/${event.summary_index}`;
    yield part === undefined || part === next ? event : { ...event, delta: `\n\n${event.delta}` };
    part = next;
  }
}

// Only `response.completed` and `response.incomplete` put the response's status in a chunk's metadata.
function finished(chunk: ChatGenerationChunk): ChatGenerationChunk {
  const message = chunk.message as AIMessageChunk;
  const { status, incomplete_details: incomplete, output } = message.response_metadata as {
    status?: unknown;
    incomplete_details?: { reason?: string } | null;
    output?: { type?: string }[];
  };
  if (status !== "completed" && status !== "incomplete") return chunk;
  const calls = output?.some((item) => item.type === "function_call");
  const reason = incomplete?.reason;
  const finishReason = status === "completed" ? (calls ? "tool_calls" : "stop") : (incompleteReasons[reason ?? ""] ?? reason ?? "incomplete");
  message.response_metadata = { ...message.response_metadata, finish_reason: finishReason };
  // The chunk carries the whole response in its metadata (`output`), which LangChain's content translator reads
  // back as this chunk's content: the summary again. The chunk adds none; the message it ends keeps its output.
  Object.defineProperty(message, "contentBlocks", { value: [] });
  return chunk;
}
