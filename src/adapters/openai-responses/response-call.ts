import { errors } from "../../core/errors.ts";
import type { ChatMessage, GenerationRequest } from "../../core/generation-request.ts";
import { arrayField, field, objectOf, type JsonObject } from "../dialect/json-fields.ts";
import type { ResponseEcho } from "./response-builder.ts";
import { inputMessages } from "./response-input.ts";
import { responseToolsOf } from "./response-tools.ts";

/** A Responses request, read: what to generate, how to answer, and what its response repeats of it. */
export interface ResponseCall {
  /** What to generate, but for the messages, which the conversation it follows decides. */
  request: Omit<GenerationRequest, "messages">;
  /** The system message of `instructions`, which a response that follows this one does not carry over. */
  instructions: ChatMessage[];
  /** Its own input, after the conversation of `previousResponseId`. */
  input: ChatMessage[];
  /** The kept response whose conversation and output come before its input. */
  previousResponseId: string | undefined;
  /** Server-sent events, or one response object. */
  stream: boolean;
  /** Answered at once, generated apart from the connection. */
  background: boolean;
  /** Kept for the log's retention, to be read back, resumed, cancelled and followed. */
  store: boolean;
  echo: ResponseEcho;
}

// The fields read here; any other one that is set is refused, since it would ask for what tokenwire does not do.
const fields = new Set([
  ...["model", "input", "instructions", "previous_response_id", "temperature", "max_output_tokens", "tools", "tool_choice"],
  ...["stream", "background", "store", "metadata"],
  ...["text", "parallel_tool_calls", "include", "truncation"],
]);

/**
 * Reads an OpenAI Responses body (`POST /v1/responses`) into tokenwire's
 * request. What it cannot honour (`reasoning`, `top_p`, a JSON text format,
 * built-in tools…) is an `invalid_argument` that names the field, never
 * dropped in silence.
 */
export function responseCall(json: unknown): ResponseCall {
  const body = objectOf(json, "the request body");
  checkFields(body);
  const background = field(body, "background", "boolean") ?? false;
  const store = field(body, "store", "boolean") ?? true;
  if (background && !store) throw errors.invalidRequest("background true needs store (a background response is kept to be read back)");
  const maxTokens = field(body, "max_output_tokens", "number");
  const temperature = field(body, "temperature", "number");
  const instructions = field(body, "instructions", "string") ?? null;
  const previousResponseId = field(body, "previous_response_id", "string");
  const { echoed, echoedChoice, ...tools } = responseToolsOf(body);
  return {
    request: { model: field(body, "model", "string") || undefined, temperature, maxTokens, ...tools },
    instructions: instructions ? [{ role: "system", content: instructions }] : [],
    input: inputMessages(body),
    previousResponseId,
    stream: field(body, "stream", "boolean") ?? false,
    background,
    store,
    echo: {
      instructions,
      metadata: metadataOf(body.metadata),
      temperature: temperature ?? null,
      max_output_tokens: maxTokens ?? null,
      tools: echoed,
      tool_choice: echoedChoice,
      background,
      store,
      previous_response_id: previousResponseId ?? null,
    },
  };
}

// Fields set to what tokenwire does anyway pass: plain text, parallel tool calls, no extra output, no truncation.
function checkFields(body: JsonObject): void {
  const unknown = Object.keys(body).find((name) => !fields.has(name) && body[name] !== null && body[name] !== undefined);
  if (unknown !== undefined) throw errors.invalidRequest(`${unknown} is not supported here`);
  const text = body.text === undefined || body.text === null ? {} : objectOf(body.text, "text");
  const format = text.format === undefined || text.format === null ? undefined : objectOf(text.format, "text.format");
  if (format && format.type !== "text") throw errors.invalidRequest(`text.format ${String(format.type)} is not supported (only text)`);
  if (text.verbosity !== undefined && text.verbosity !== null) throw errors.invalidRequest("text.verbosity is not supported here");
  if (field(body, "parallel_tool_calls", "boolean") === false) throw errors.invalidRequest("parallel_tool_calls false is not supported (a model here may call several tools at once)");
  if (arrayField(body, "include")?.length) throw errors.invalidRequest("include is not supported here");
  const truncation = field(body, "truncation", "string");
  if (truncation !== undefined && truncation !== "disabled") throw errors.invalidRequest("truncation must be disabled (the input is never truncated here)");
}

// OpenAI's metadata: up to 16 string values, which the response repeats.
function metadataOf(value: unknown): Record<string, string> {
  if (value === undefined || value === null) return {};
  const metadata = objectOf(value, "metadata");
  const entries = Object.entries(metadata);
  if (entries.length > 16 || entries.some(([key, item]) => typeof item !== "string" || key.length > 64 || item.length > 512)) {
    throw errors.invalidRequest("metadata holds up to 16 string values (keys up to 64 characters and values up to 512)");
  }
  return metadata as Record<string, string>;
}
