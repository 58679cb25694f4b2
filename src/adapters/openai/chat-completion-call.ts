import { errors } from "../../core/errors.ts";
import type { ChatMessage, GenerationRequest } from "../../core/generation-request.ts";
import { arrayField, field, objectOf, type JsonObject } from "../dialect/json-fields.ts";
import { toolCallsOf, toolsOf } from "./chat-completion-tools.ts";

/** A chat-completions request, read: what to generate and how to answer it. */
export interface ChatCompletionCall {
  request: GenerationRequest;
  /** SSE chunks, or one `chat.completion` object. */
  stream: boolean;
  /** `stream_options.include_usage`: a last chunk with the usage and no choices. */
  includeUsage: boolean;
}

// `developer` is OpenAI's newer name for the system message.
const roles: Record<string, ChatMessage["role"]> = { system: "system", developer: "system", user: "user", assistant: "assistant", tool: "tool" };

// Fields that ask for an answer other than one choice of streamed text and function calls. Each is refused with its
// name unless it holds OpenAI's default (or nothing), which asks for nothing more.
const unhonoured: [name: string, isDefault: (value: unknown) => boolean, refusal: string][] = [
  ["n", (value) => value === 1, "n must be 1 (tokenwire streams one choice)"],
  ["logprobs", (value) => value === false, "logprobs is not supported: tokenwire returns no log probabilities"],
  ["top_logprobs", () => false, "top_logprobs is not supported: tokenwire returns no log probabilities"],
  ["response_format", (value) => (value as { type?: unknown }).type === "text", "response_format is not supported: tokenwire passes none to the model (ask for JSON in the messages instead)"],
  ["modalities", (value) => Array.isArray(value) && value.every((modality) => modality === "text"), "modalities other than text are not supported: tokenwire streams text only"],
  ["audio", () => false, "audio is not supported: tokenwire streams text only"],
  ["parallel_tool_calls", (value) => value === true, "parallel_tool_calls false is not supported: the model may make several tool calls at once"],
  ["functions", (value) => Array.isArray(value) && value.length === 0, "functions is not supported: send tools (each of type function) instead"],
  ["function_call", () => false, "function_call is not supported: send tool_choice instead"],
  ["web_search_options", () => false, "web_search_options is not supported: OpenAI's built-in tools run on OpenAI's side"],
];

/**
 * Reads an OpenAI chat-completions body into tokenwire's request. What it
 * cannot honour (several choices, log probabilities, a response format,
 * audio, the older `functions`) is an `invalid_argument` that names the
 * field, never dropped in silence; sampling fields tokenwire has no word for
 * (`top_p`, `seed`, `presence_penalty`, `logit_bias`, `reasoning_effort`, …)
 * and bookkeeping (`user`, `metadata`, `store`) are left to the model's defaults.
 */
export function chatCompletionCall(json: unknown): ChatCompletionCall {
  const body = objectOf(json, "the request body");
  const messages = arrayField(body, "messages");
  if (!messages?.length) throw errors.invalidRequest("messages must be a non-empty array");
  for (const [name, isDefault, refusal] of unhonoured) {
    if (body[name] !== undefined && body[name] !== null && !isDefault(body[name])) throw errors.invalidRequest(refusal);
  }
  const streamOptions = body.stream_options === undefined || body.stream_options === null ? {} : objectOf(body.stream_options, "stream_options");
  return {
    request: {
      messages: messages.map(messageOf),
      model: field(body, "model", "string") || undefined,
      temperature: field(body, "temperature", "number"),
      maxTokens: field(body, "max_completion_tokens", "number") ?? field(body, "max_tokens", "number"),
      stop: stopOf(body.stop),
      ...toolsOf(body),
    },
    stream: field(body, "stream", "boolean") ?? false,
    includeUsage: field(streamOptions, "include_usage", "boolean") ?? false,
  };
}

function messageOf(value: unknown, index: number): ChatMessage {
  const message = objectOf(value, `messages[${index}]`);
  const role = roles[String(message.role)];
  if (!role) throw errors.invalidRequest(`messages[${index}].role must be system or developer or user or assistant or tool`);
  const toolCalls = role === "assistant" ? toolCallsOf(message, index) : undefined;
  const content = contentOf(message.content, index, toolCalls !== undefined);
  if (role === "tool") return { role, content, toolCallId: message.tool_call_id as string };
  return toolCalls ? { role, content, toolCalls } : { role, content };
}

// An assistant message that only calls tools has `content: null`.
function contentOf(content: unknown, index: number, mayBeNull: boolean): string {
  if (typeof content === "string") return content;
  if (mayBeNull && (content === null || content === undefined)) return "";
  if (!Array.isArray(content)) throw errors.invalidRequest(`messages[${index}].content must be a string or an array of text parts`);
  return content.map((value) => textOf(objectOf(value, `messages[${index}].content[]`), index)).join("");
}

function textOf(part: JsonObject, index: number): string {
  if (part.type !== "text" || typeof part.text !== "string") throw errors.invalidRequest(`messages[${index}].content may hold text parts only (not ${String(part.type)})`);
  return part.text;
}

function stopOf(stop: unknown): string[] | undefined {
  if (stop === undefined || stop === null) return undefined;
  const list = typeof stop === "string" ? [stop] : stop;
  if (!Array.isArray(list) || list.length > 4 || !list.every((item) => typeof item === "string" && item !== "")) {
    throw errors.invalidRequest("stop must be a string or an array of up to 4 non-empty strings");
  }
  return list.length > 0 ? list : undefined;
}
