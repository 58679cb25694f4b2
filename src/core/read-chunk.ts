import type { FinishReason, Usage } from "./token-event.ts";

interface ChunkFields {
  text: string;
  finish: FinishReason | undefined;
  usage: Usage | undefined;
  /** True for message chunks, which must carry a finish reason before the stream ends. */
  isMessage: boolean;
}

interface MessageChunkShape {
  content?: unknown;
  response_metadata?: { finish_reason?: unknown };
  usage_metadata?: { input_tokens: number; output_tokens: number; total_tokens: number };
}

const finishReasons: Record<string, FinishReason> = {
  stop: "stop",
  length: "length",
  content_filter: "content_filter",
  tool_calls: "tool_calls",
  function_call: "tool_calls",
};

/**
 * Reads what the producer needs from one streamed chunk: a string from a chain
 * that ends in a parser, or an AIMessageChunk from a chat model.
 * @internal
 */
export function readChunk(chunk: unknown): ChunkFields {
  if (typeof chunk === "string") return { text: chunk, finish: undefined, usage: undefined, isMessage: false };
  const message = chunk as MessageChunkShape;
  const reason = message.response_metadata?.finish_reason;
  const usage = message.usage_metadata;
  return {
    text: textOf(message.content),
    finish: typeof reason === "string" ? (finishReasons[reason] ?? "stop") : undefined,
    usage: usage && { inputTokens: usage.input_tokens, outputTokens: usage.output_tokens, totalTokens: usage.total_tokens },
    isMessage: message.response_metadata !== undefined,
  };
}

function textOf(content: unknown): string {
  if (typeof content === "string") return content;
  if (!Array.isArray(content)) return "";
  // Multimodal content: only its text parts are tokens to stream.
  return content.map((part: { type?: string; text?: string }) => (part.type === "text" ? (part.text ?? "") : "")).join("");
}
