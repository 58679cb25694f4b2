import type { FinishReason, Origin, TokenPart, Usage } from "../token-event.ts";

/** The fields of an AIMessageChunk that carry parts, read structurally so no class crosses package copies. */
export interface MessageChunk {
  content?: unknown;
  additional_kwargs?: { reasoning_content?: unknown };
  tool_call_chunks?: { index?: number; id?: string; name?: string; args?: string }[];
  response_metadata?: { finish_reason?: unknown; status?: unknown; incomplete_details?: { reason?: unknown } | null; output?: unknown };
  usage_metadata?: { input_tokens: number; output_tokens: number; total_tokens: number };
  readonly contentBlocks?: readonly { type: string; text?: unknown; reasoning?: unknown }[];
}

const finishReasons: Record<string, FinishReason> = {
  stop: "stop",
  length: "length",
  content_filter: "content_filter",
  tool_calls: "tool_calls",
  function_call: "tool_calls",
};

/** True for a LangChain message chunk, which must end with a finish reason. @internal */
export function isMessageChunk(chunk: unknown): chunk is MessageChunk {
  return typeof chunk === "object" && chunk !== null && "content" in chunk && "response_metadata" in chunk;
}

/** The upstream's own finish reason that a chunk carries, if any. @internal */
export function rawFinishReason(chunk: MessageChunk): string | undefined {
  const metadata = chunk.response_metadata;
  const reason = metadata?.finish_reason;
  if (typeof reason === "string") return reason;
  // OpenAI's Responses API (`ChatOpenAI` with `useResponsesApi`) says how a reply ended by its status instead.
  if (metadata?.status === "completed") return Array.isArray(metadata.output) && metadata.output.some((item) => item?.type === "function_call") ? "tool_calls" : "stop";
  if (metadata?.status !== "incomplete") return undefined;
  const incomplete = metadata.incomplete_details?.reason;
  return incomplete === "max_output_tokens" ? "length" : typeof incomplete === "string" ? incomplete : "other";
}

/**
 * The finished part for the last model's finish reason: a reason tokenwire
 * does not know is `other`, with the upstream's word beside it, never `stop`.
 * @internal
 */
export function finishedPart(raw: string | undefined, usage: Usage | undefined): TokenPart {
  const finishReason = raw === undefined ? "stop" : (finishReasons[raw] ?? "other");
  return finishReason === "other" ? { type: "finished", finishReason, usage, upstreamFinishReason: raw } : { type: "finished", finishReason, usage };
}

/** Adds a chunk's usage to a running sum. @internal */
export function addUsage(sum: Usage | undefined, chunk: MessageChunk): Usage | undefined {
  const usage = chunk.usage_metadata;
  if (!usage) return sum;
  return {
    inputTokens: (sum?.inputTokens ?? 0) + usage.input_tokens,
    outputTokens: (sum?.outputTokens ?? 0) + usage.output_tokens,
    totalTokens: (sum?.totalTokens ?? 0) + usage.total_tokens,
  };
}

/**
 * The parts one message chunk holds, in the order a reader expects them:
 * reasoning, then text, then tool-call pieces. A chunk of plain string content
 * (every token of most chat models) takes the short path and reads no content
 * blocks, whose getter translates the whole message on every read.
 * @internal
 */
export function partsOf(chunk: MessageChunk, origin: Origin | undefined): TokenPart[] {
  const parts: TokenPart[] = [];
  const plain = typeof chunk.content === "string" && chunk.additional_kwargs?.reasoning_content === undefined;
  if (plain) {
    if (chunk.content !== "") parts.push({ type: "delta", text: chunk.content as string, origin });
  } else {
    for (const block of chunk.contentBlocks ?? []) {
      if (block.type === "reasoning" && typeof block.reasoning === "string" && block.reasoning !== "") parts.push({ type: "reasoning", text: block.reasoning, origin });
      if (block.type === "text" && typeof block.text === "string" && block.text !== "") parts.push({ type: "delta", text: block.text, origin });
    }
  }
  for (const piece of chunk.tool_call_chunks ?? []) {
    const part: TokenPart = { type: "tool_call_delta", index: piece.index ?? 0, text: piece.args ?? "", origin };
    if (piece.id) part.id = piece.id;
    if (piece.name) part.name = piece.name;
    if (part.text !== "" || part.id || part.name) parts.push(part);
  }
  return parts;
}
