import { errors } from "../../core/errors.ts";
import type { ChatMessage } from "../../core/generation-request.ts";
import { objectOf, type JsonObject } from "../dialect/json-fields.ts";

// `developer` is OpenAI's newer name for the system message.
const roles: Record<string, ChatMessage["role"]> = { system: "system", developer: "system", user: "user", assistant: "assistant" };

/**
 * The chat that a Responses request's `input` amounts to, oldest first: a
 * string input as a user message, and each input item in turn. A
 * `function_call` joins the assistant message before it (as its tool calls),
 * a `function_call_output` is a tool message, and a `reasoning` item is left
 * out, as every chat model reads no reasoning back. An `item_reference` has
 * been replaced by its item before (`withItemsReferenced`); any other item
 * (an image, a built-in tool's call) is an `invalid_argument` that names it.
 */
export function inputMessages(body: JsonObject): ChatMessage[] {
  const { input } = body;
  if (typeof input === "string") return [{ role: "user", content: input }];
  if (!Array.isArray(input) || input.length === 0) throw errors.invalidRequest("input must be a string or a non-empty array of items");
  const messages: ChatMessage[] = [];
  input.forEach((value, index) => addItem(messages, objectOf(value, `input[${index}]`), `input[${index}]`));
  return messages;
}

/**
 * The messages a response's output adds for the response that follows it,
 * read as an input that repeated its items would be. What was cut off and
 * says nothing whole is left out: a message with no text yet, a call whose
 * arguments never ended.
 */
export function outputMessages(output: JsonObject[]): ChatMessage[] {
  const messages: ChatMessage[] = [];
  output.forEach((item, index) => carried(item) && addItem(messages, item, `output[${index}]`));
  return messages;
}

function carried(item: JsonObject): boolean {
  if (item.status === "completed") return true;
  return item.type === "message" && textOf(item.content, "content") !== "";
}

function addItem(messages: ChatMessage[], item: JsonObject, what: string): void {
  const type = item.type ?? "message";
  if (type === "message") return void messages.push(messageOf(item, what));
  if (type === "function_call") return addCall(messages, item, what);
  if (type === "function_call_output") return void messages.push({ role: "tool", content: outputOf(item.output, what), toolCallId: stringOf(item, "call_id", what) });
  if (type === "reasoning") return;
  throw errors.invalidRequest(`${what}.type ${String(type)} is not supported (message or function_call or function_call_output or reasoning)`);
}

function messageOf(item: JsonObject, what: string): ChatMessage {
  const role = roles[String(item.role)];
  if (!role) throw errors.invalidRequest(`${what}.role must be system or developer or user or assistant`);
  return { role, content: textOf(item.content, `${what}.content`) };
}

// A call joins the assistant message just before it, as a chat's assistant message holds its text and its calls.
function addCall(messages: ChatMessage[], item: JsonObject, what: string): void {
  const call = { id: stringOf(item, "call_id", what), name: stringOf(item, "name", what), argsJson: stringOf(item, "arguments", what) };
  const last = messages.at(-1);
  if (last?.role === "assistant") last.toolCalls = [...(last.toolCalls ?? []), call];
  else messages.push({ role: "assistant", content: "", toolCalls: [call] });
}

function textOf(content: unknown, what: string): string {
  if (typeof content === "string") return content;
  if (!Array.isArray(content)) throw errors.invalidRequest(`${what} must be a string or an array of text parts`);
  return content
    .map((value, index) => {
      const part = objectOf(value, `${what}[${index}]`);
      if ((part.type === "input_text" || part.type === "output_text") && typeof part.text === "string") return part.text;
      throw errors.invalidRequest(`${what}[${index}] is a ${String(part.type)} part and only input_text and output_text parts are supported`);
    })
    .join("");
}

// A tool's output is text, or a list of text parts.
function outputOf(output: unknown, what: string): string {
  return textOf(output, `${what}.output`);
}

function stringOf(item: JsonObject, name: string, what: string): string {
  const value = item[name];
  if (typeof value !== "string") throw errors.invalidRequest(`${what}.${name} must be a string`);
  return value;
}
