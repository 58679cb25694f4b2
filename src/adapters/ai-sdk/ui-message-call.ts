import { errors } from "../../core/errors.ts";
import type { ChatMessage, GenerationRequest } from "../../core/generation-request.ts";
import { arrayField, field, objectOf, type JsonObject } from "../dialect/json-fields.ts";

/** A `useChat` request, read: the chat it belongs to and what to generate. */
export interface UIMessageCall {
  /** The chat's id, which names its stream for a client that reconnects. */
  chatId: string | undefined;
  request: GenerationRequest;
}

const roles = new Set<string>(["system", "user", "assistant"]);

// Parts that carry nothing a model reads back: the step markers, reasoning, sources and the app's own data.
const quietParts = /^(step-start|reasoning|source-url|source-document|data-.*)$/;

/**
 * Reads the body `useChat` sends (`DefaultChatTransport`): `id`, `messages`
 * as UI messages whose text parts are joined, and the extra body fields
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
      messages: messages.map(messageOf).filter((message) => message !== undefined),
      model: field(body, "model", "string") || undefined,
      temperature: field(body, "temperature", "number"),
      maxTokens: field(body, "maxOutputTokens", "number"),
    },
  };
}

// An answer that was only tool calls has no text to send back: tool parts cannot go to a model yet, so it is left out.
function messageOf(value: unknown, index: number): ChatMessage | undefined {
  const message = objectOf(value, `messages[${index}]`);
  const role = String(message.role);
  if (!roles.has(role)) throw errors.invalidRequest(`messages[${index}].role must be system or user or assistant`);
  const parts = arrayField(message, "parts");
  if (!parts) throw errors.invalidRequest(`messages[${index}].parts must be an array`);
  const content = parts.map((part) => textOf(objectOf(part, `messages[${index}].parts[]`), index)).join("");
  return role === "assistant" && content === "" ? undefined : { role: role as ChatMessage["role"], content };
}

function textOf(part: JsonObject, index: number): string {
  if (part.type === "text" && typeof part.text === "string") return part.text;
  const type = String(part.type);
  if (quietParts.test(type) || type.startsWith("tool-") || type === "dynamic-tool") return "";
  throw errors.invalidRequest(`messages[${index}] has a ${type} part and only text parts are supported`);
}
