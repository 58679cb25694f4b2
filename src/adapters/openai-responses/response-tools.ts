import { errors } from "../../core/errors.ts";
import type { ToolChoice, ToolDefinition } from "../../core/generation-request.ts";
import { arrayField, objectOf, type JsonObject } from "../dialect/json-fields.ts";
import { functionToolOf } from "../openai/chat-completion-tools.ts";

/** A Responses request's tools and tool choice: in tokenwire's words, and as its response repeats them. */
export interface ResponseTools {
  tools?: ToolDefinition[];
  toolChoice?: ToolChoice;
  /** The tools as OpenAI's response object lists them. */
  echoed: Record<string, unknown>[];
  /** The tool choice as the response object repeats it. */
  echoedChoice: unknown;
}

/**
 * Reads `tools` (function tools, flat as the Responses API spells them:
 * `{type, name, description, parameters, strict}`) and `tool_choice`. A
 * built-in tool runs on OpenAI's side and is an `invalid_argument`; `strict`
 * is taken, but no argument is checked against the schema here.
 */
export function responseToolsOf(body: JsonObject): ResponseTools {
  const listed = arrayField(body, "tools")?.map((value, index) => objectOf(value, `tools[${index}]`));
  const tools = listed?.map(definitionOf);
  const toolChoice = choiceOf(body.tool_choice);
  const echoed = (listed ?? []).map((tool, index) => ({
    type: "function",
    name: tools![index]!.name,
    description: tool.description ?? null,
    parameters: tool.parameters ?? null,
    strict: tool.strict ?? null,
  }));
  const echoedChoice = toolChoice === undefined ? "auto" : typeof toolChoice === "string" ? toolChoice : { type: "function", name: toolChoice.name };
  return { ...(tools?.length && { tools }), ...(toolChoice && { toolChoice }), echoed, echoedChoice };
}

function definitionOf(tool: JsonObject, index: number): ToolDefinition {
  const what = `tools[${index}]`;
  if (tool.type !== "function") throw errors.invalidRequest(`${what}.type must be function (tokenwire offers function tools only)`);
  if (tool.strict !== undefined && tool.strict !== null && typeof tool.strict !== "boolean") throw errors.invalidRequest(`${what}.strict must be a boolean`);
  return functionToolOf(tool, what);
}

function choiceOf(choice: unknown): ToolChoice | undefined {
  if (choice === undefined || choice === null) return undefined;
  if (choice === "auto" || choice === "none" || choice === "required") return choice;
  const named = typeof choice === "object" && !Array.isArray(choice) ? (choice as JsonObject) : {};
  if (named.type !== "function" || typeof named.name !== "string") throw errors.invalidRequest('tool_choice must be auto or none or required or {"type":"function","name"}');
  return { name: named.name };
}
