import { errors } from "../../core/errors.ts";
import type { GenerationRequest } from "../../core/generation-request.ts";
import { arrayField, field, objectOf, type JsonObject } from "../dialect/json-fields.ts";
import type { ResponseEcho } from "./response-builder.ts";
import { inputMessages } from "./response-input.ts";
import { responseToolsOf } from "./response-tools.ts";

/** A Responses request, read: what to generate, how to answer, and what its response repeats of it. */
export interface ResponseCall {
  request: GenerationRequest;
  /** Server-sent events, or one response object. */
  stream: boolean;
  /** Answered at once, generated apart from the connection, and kept to be read back, resumed and cancelled. */
  background: boolean;
  echo: ResponseEcho;
}

// The fields read here; any other one that is set is refused, since it would ask for what tokenwire does not do.
const fields = new Set([
  ...["model", "input", "instructions", "temperature", "max_output_tokens", "tools", "tool_choice", "stream", "background", "store", "metadata"],
  ...["text", "parallel_tool_calls", "include", "truncation"],
]);

/**
 * Reads an OpenAI Responses body (`POST /v1/responses`) into tokenwire's
 * request. What it cannot honour (`previous_response_id`, `reasoning`,
 * `top_p`, a JSON text format, built-in tools…) is an `invalid_argument`
 * that names the field, never dropped in silence.
 */
export function responseCall(json: unknown): ResponseCall {
  const body = objectOf(json, "the request body");
  checkFields(body);
  const background = field(body, "background", "boolean") ?? false;
  const store = field(body, "store", "boolean");
  if (background && store === false) throw errors.invalidRequest("background true needs store (a background response is kept to be read back)");
  if (!background && store === true) throw errors.invalidRequest("store true is for background responses here (only those are kept) so send background true or leave store out");
  const maxTokens = field(body, "max_output_tokens", "number");
  const temperature = field(body, "temperature", "number");
  const instructions = field(body, "instructions", "string") ?? null;
  const { echoed, echoedChoice, ...tools } = responseToolsOf(body);
  return {
    request: { messages: inputMessages(body), model: field(body, "model", "string") || undefined, temperature, maxTokens, ...tools },
    stream: field(body, "stream", "boolean") ?? false,
    background,
    echo: {
      instructions,
      metadata: metadataOf(body.metadata),
      temperature: temperature ?? null,
      max_output_tokens: maxTokens ?? null,
      tools: echoed,
      tool_choice: echoedChoice,
      background,
      store: background,
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
