import { errors } from "../../core/errors.ts";
import type { ChatMessage, GenerationRequest } from "../../core/generation-request.ts";
import { arrayField, field, objectOf } from "../dialect/json-fields.ts";
import { assistantHistory, textOf } from "./ui-message-history.ts";

/** A `useChat` request, read: the chat it belongs to and what to generate. */
export interface UIMessageCall {
  /** The chat's id, which names its stream for a client that reconnects. */
  chatId: string | undefined;
  request: GenerationRequest;
}

const roles = new Set<string>(["system", "user", "assistant"]);

/**
 * Reads the body `useChat` sends (`DefaultChatTransport`): `id`, `messages`
 * as UI messages whose text parts are joined (an assistant's tool parts
 * become its tool calls and their results), and the extra body fields
 * `model`, `temperature` and `maxOutputTokens`. A part it cannot pass on (a
 * file) is an `invalid_argument`, never dropped in silence.
 */
export function uiMessageCall(json: unknown): UIMessageCall {
  const body = objectOf(json, "the request body");
  const messages = arrayField(body, "messages");
  if (!messages?.length) throw errors.invalidRequest("messages must be a non-empty array");
  return {
    chatId: field(body, "id", "string"),
    request: {
      messages: messages.flatMap(messagesOf),
      model: field(body, "model", "string") || undefined,
      temperature: field(body, "temperature", "number"),
      maxTokens: field(body, "maxOutputTokens", "number"),
    },
  };
}

function messagesOf(value: unknown, index: number): ChatMessage[] {
  const message = objectOf(value, `messages[${index}]`);
  const role = String(message.role);
  if (!roles.has(role)) throw errors.invalidRequest(`messages[${index}].role must be system or user or assistant`);
  const parts = arrayField(message, "parts")?.map((part) => objectOf(part, `messages[${index}].parts[]`));
  if (!parts) throw errors.invalidRequest(`messages[${index}].parts must be an array`);
  if (role === "assistant") return assistantHistory(parts, index);
  return [{ role: role as ChatMessage["role"], content: parts.map((part) => textOf(part, index)).join("") }];
}
