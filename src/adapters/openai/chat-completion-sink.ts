import type { Answer } from "../../core/answer.ts";
import type { TokenEvent, Usage } from "../../core/token-event.ts";
import type { TokenwireError } from "../../core/tokenwire-error.ts";
import { jsonReply, type DialectReply, type HttpFailure } from "../dialect/dialect-handler.ts";
import { httpStatuses } from "../http-statuses.ts";
import { createSseSink, doneFrame, sseFrame, type SseEncoder, type SseSink, type SseSinkOptions } from "../dialect/sse-sink.ts";

/** Options of {@link createChatCompletionSink}. */
export interface ChatCompletionSinkOptions extends SseSinkOptions {
  /** `stream_options.include_usage`: every chunk carries `usage: null`, and a last one with no choices the usage. */
  includeUsage?: boolean;
}

// OpenAI has no word for a stream a stop request ended, nor for a reason tokenwire does not know: both read as `stop`.
const finishReasons: Record<string, string> = { length: "length", content_filter: "content_filter", tool_calls: "tool_calls" };

// What OpenAI calls each kind of failure, by its HTTP status; the code field carries tokenwire's own code.
const errorTypes: Record<number, string> = {
  400: "invalid_request_error",
  404: "invalid_request_error",
  413: "invalid_request_error",
  415: "invalid_request_error",
  401: "authentication_error",
  403: "permission_error",
  429: "rate_limit_error",
  504: "timeout_error",
};

/**
 * A sink that writes OpenAI's chat-completions stream: `chat.completion.chunk`
 * objects whose first delta carries the role, text as `content`, reasoning as
 * `reasoning_content`, tool-call pieces as `tool_calls`, the finish reason,
 * the usage when asked, then `[DONE]`; a failure as an `error` object.
 */
export function createChatCompletionSink(options: ChatCompletionSinkOptions = {}): SseSink {
  return createSseSink(chatCompletionEncoder(options.includeUsage ?? false), options);
}

/** The `chat.completion` object of a whole answer. */
export function chatCompletionFrom(answer: Answer): object {
  const toolCalls = answer.toolCalls.map((call) => ({ id: call.id, type: "function", function: { name: call.name, arguments: call.argsJson } }));
  const message = {
    role: "assistant",
    content: answer.text || null,
    ...(answer.reasoning && { reasoning_content: answer.reasoning }),
    ...(toolCalls.length > 0 && { tool_calls: toolCalls }),
  };
  const choice = { index: 0, message, logprobs: null, finish_reason: finishReasons[answer.finishReason] ?? "stop" };
  return { id: `chatcmpl-${answer.runId}`, object: "chat.completion", created: now(), model: answer.model, choices: [choice], usage: usageOf(answer.usage) };
}

/** OpenAI's error reply for a failure: its HTTP status, and `Retry-After` when the client may try again. */
export function openAIErrorReply({ error, status, headers }: HttpFailure): DialectReply {
  return jsonReply(status, errorBody(error, status), headers);
}

function errorBody(error: TokenwireError, status = httpStatuses[error.code]): object {
  return { error: { message: error.message, type: errorTypes[status] ?? "server_error", param: null, code: error.code } };
}

function chatCompletionEncoder(includeUsage: boolean): SseEncoder {
  let head = { id: "", object: "chat.completion.chunk", created: 0, model: "" };
  let seq = 0;
  // Each call's index on the wire: a graph's model calls each number theirs from 0.
  const indexes = new Map<string, number>();
  const streamed = new Set<string>();
  const usage = includeUsage ? { usage: null } : {};
  const chunk = (delta: object, finishReason: string | null = null) =>
    sseFrame(seq, { ...head, choices: [{ index: 0, delta, logprobs: null, finish_reason: finishReason }], ...usage });
  const indexOf = (key: string, isNew: boolean): number => {
    if (isNew || !indexes.has(key)) indexes.set(key, indexes.size);
    return indexes.get(key)!;
  };
  const tools = (piece: object) => chunk({ tool_calls: [piece] });
  return {
    event(event: TokenEvent) {
      seq = event.seq;
      switch (event.type) {
        case "started":
          head = { ...head, id: `chatcmpl-${event.runId}`, created: now(), model: event.model };
          return chunk({ role: "assistant", content: "" });
        case "delta":
          return chunk({ content: event.text });
        case "reasoning":
          return chunk({ reasoning_content: event.text });
        case "tool_call_delta": {
          const index = indexOf(`${event.origin?.runId}:${event.index}`, event.id !== undefined);
          if (event.id === undefined) return tools({ index, function: { arguments: event.text } });
          streamed.add(event.id);
          return tools({ index, id: event.id, type: "function", function: { name: event.name ?? "", arguments: event.text } });
        }
        case "tool_call":
          // Its pieces have gone out already, unless the model did not stream it.
          if (streamed.has(event.id)) return "";
          return tools({ index: indexOf(event.id, true), id: event.id, type: "function", function: { name: event.name, arguments: event.argsJson } });
        case "finished": {
          const finish = chunk({}, finishReasons[event.finishReason] ?? "stop");
          return includeUsage ? finish + sseFrame(seq, { ...head, choices: [], usage: usageOf(event.usage) }) : finish;
        }
        default:
          // A tool result has no place in OpenAI's stream: the server ran the tool, and the client sees its effect in the text.
          return "";
      }
    },
    end(error) {
      if (!error) return doneFrame;
      return error.code === "canceled" ? "" : `data: ${JSON.stringify(errorBody(error))}\n\n`;
    },
  };
}

function usageOf(usage: Usage | undefined): object {
  const { inputTokens = 0, outputTokens = 0, totalTokens = 0 } = usage ?? {};
  return { prompt_tokens: inputTokens, completion_tokens: outputTokens, total_tokens: totalTokens };
}

function now(): number {
  return Math.floor(Date.now() / 1000);
}
