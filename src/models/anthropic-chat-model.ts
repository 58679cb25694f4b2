import { ChatAnthropic } from "@langchain/anthropic";
import type { CallbackManagerForLLMRun } from "@langchain/core/callbacks/manager";
import type { AIMessageChunk, BaseMessage } from "@langchain/core/messages";
import type { ChatGenerationChunk } from "@langchain/core/outputs";
import { errors } from "../core/errors.ts";

// Anthropic's stop reasons in the words the rest of tokenwire reads; one not listed passes as it is and streams as `other`.
const finishReasons: Record<string, string> = {
  end_turn: "stop",
  stop_sequence: "stop",
  max_tokens: "length",
  model_context_window_exceeded: "length",
  tool_use: "tool_calls",
  refusal: "content_filter",
};

// The HTTP status Anthropic documents for each error type, for an `error` event that arrives inside a 200 stream.
const errorStatuses: Record<string, number> = {
  invalid_request_error: 400,
  authentication_error: 401,
  billing_error: 402,
  permission_error: 403,
  not_found_error: 404,
  request_too_large: 413,
  rate_limit_error: 429,
  api_error: 500,
  timeout_error: 504,
  overloaded_error: 529,
};

/**
 * `ChatAnthropic` whose stream reads as every other chat model's: the
 * message's `stop_reason` becomes `response_metadata.finish_reason`
 * (`end_turn` → `stop`, `max_tokens` → `length`, `tool_use` → `tool_calls`),
 * output tokens are counted once, and an `error` event inside the stream
 * fails with the code of the HTTP status its type stands for.
 */
export class AnthropicChatModel extends ChatAnthropic {
  override async *_streamResponseChunks(
    messages: BaseMessage[],
    options: this["ParsedCallOptions"],
    runManager?: CallbackManagerForLLMRun,
  ): AsyncGenerator<ChatGenerationChunk> {
    try {
      // Changed before the chunk is passed on: the parent hands the same chunk to the callbacks once it resumes.
      for await (const chunk of super._streamResponseChunks(messages, options, runManager)) yield normalised(chunk);
    } catch (reason) {
      throw streamErrorOf(reason);
    }
  }
}

function normalised(chunk: ChatGenerationChunk): ChatGenerationChunk {
  const message = chunk.message as AIMessageChunk;
  const stopReason = message.additional_kwargs?.stop_reason;
  if (typeof stopReason === "string") {
    message.response_metadata = { ...message.response_metadata, finish_reason: finishReasons[stopReason] ?? stopReason };
  } else if (message.usage_metadata) {
    // message_start's output tokens are counted again in message_delta's, which are cumulative: keep the last count only.
    message.usage_metadata = { ...message.usage_metadata, output_tokens: 0, total_tokens: message.usage_metadata.input_tokens };
  }
  return chunk;
}

// An `error` event (such as overloaded_error mid-stream) throws an APIError with no status: give it its type's.
function streamErrorOf(reason: unknown): unknown {
  const failure = reason as { status?: unknown; type?: unknown; error?: { error?: { type?: unknown } } } | null;
  if (typeof failure !== "object" || failure === null || failure.status !== undefined) return reason;
  const type = failure.type ?? failure.error?.error?.type;
  const status = typeof type === "string" ? errorStatuses[type] : undefined;
  return status === undefined ? reason : errors.upstreamStatus(status, reason);
}
