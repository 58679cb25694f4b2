import { errors } from "../../core/errors.ts";
import type { ToolCall, ToolChoice, ToolDefinition } from "../../core/generation-request.ts";
import { arrayField, objectOf, type JsonObject } from "../dialect/json-fields.ts";

/**
 * A request's `tools` and `tool_choice` in tokenwire's words. Function tools
 * only: OpenAI's built-in tools run on OpenAI's side (the older `functions`
 * form is refused with the other fields tokenwire does not honour).
 */
export function toolsOf(body: JsonObject): { tools?: ToolDefinition[]; toolChoice?: ToolChoice } {
  const tools = arrayField(body, "tools")?.map(definitionOf);
  const toolChoice = choiceOf(body.tool_choice);
  return { ...(tools && { tools }), ...(toolChoice && { toolChoice }) };
}

/** An assistant message's `tool_calls`, unset when it has none. */
export function toolCallsOf(message: JsonObject, index: number): ToolCall[] | undefined {
  const calls = arrayField(message, "tool_calls");
  if (!calls?.length) return undefined;
  return calls.map((value, at) => {
    const what = `messages[${index}].tool_calls[${at}]`;
    const call = objectOf(value, what);
    if (call.type !== undefined && call.type !== "function") throw errors.invalidRequest(`${what}.type must be function`);
    const fn = objectOf(call.function, `${what}.function`);
    // The core checks each field's kind and says which call is wrong.
    return { id: call.id as string, name: fn.name as string, argsJson: fn.arguments as string };
  });
}

function definitionOf(value: unknown, index: number): ToolDefinition {
  const tool = objectOf(value, `tools[${index}]`);
  if (tool.type !== "function") throw errors.invalidRequest(`tools[${index}].type must be function (tokenwire offers function tools only)`);
  return functionToolOf(objectOf(tool.function, `tools[${index}].function`), `tools[${index}].function`);
}

/**
 * A function tool's `name`, `description` and `parameters` (a JSON object),
 * as both of OpenAI's APIs spell them: nested under `function` in chat
 * completions, flat in the Responses API. The core checks the name and the
 * description, and says which tool is wrong.
 * @internal
 */
export function functionToolOf(fields: JsonObject, what: string): ToolDefinition {
  const parameters = fields.parameters === undefined || fields.parameters === null ? undefined : objectOf(fields.parameters, `${what}.parameters`);
  const description = fields.description === undefined || fields.description === null ? undefined : (fields.description as string);
  return { name: fields.name as string, ...(description !== undefined && { description }), ...(parameters && { parameters }) };
}

function choiceOf(choice: unknown): ToolChoice | undefined {
  if (choice === undefined || choice === null) return undefined;
  if (choice === "auto" || choice === "none" || choice === "required") return choice;
  const named = typeof choice === "object" && !Array.isArray(choice) ? (choice as JsonObject) : {};
  const fn = named.type === "function" && typeof named.function === "object" && named.function !== null ? (named.function as JsonObject) : {};
  if (typeof fn.name !== "string") throw errors.invalidRequest('tool_choice must be auto or none or required or {"type":"function","function":{"name"}}');
  return { name: fn.name };
}
