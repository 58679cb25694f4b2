import type { ChatMessage, GenerationRequest, ToolChoice, ToolDefinition } from "./generation.ts";

// Far above what a model is offered in practice, and small enough that a request's checks stay cheap.
const maxTools = 128;
const maxToolCalls = 128;
const maxNameChars = 128;
// Call ids are made by upstreams (`call_…`, `toolu_…`): a looser bound than a name's.
const maxIdChars = 256;
const toolName = /^[A-Za-z0-9_.-]+$/;

/** The first thing wrong with a request's tools and tool messages, in words for the caller. @internal */
export function toolProblem({ tools, toolChoice, messages = [] }: GenerationRequest): string | undefined {
  if (tools !== undefined) {
    if (tools.length > maxTools) return `a request offers at most ${maxTools} tools`;
    const problem = tools.map(definitionProblem).find(Boolean);
    if (problem) return problem;
    if (new Set(tools.map((tool) => tool.name)).size < tools.length) return "tool names must be unique";
  }
  if (toolChoice !== undefined) {
    const problem = choiceProblem(toolChoice, tools ?? []);
    if (problem) return problem;
  }
  const callIds = new Set<string>();
  for (const [index, message] of messages.entries()) {
    const problem = messageToolProblem(message, index, callIds);
    if (problem) return problem;
  }
  return undefined;
}

/** The characters a request's tools and tool calls add to its input. @internal */
export function toolChars({ tools = [], messages = [] }: GenerationRequest): number {
  const definitions = tools.reduce((sum, tool) => sum + tool.name.length + (tool.description?.length ?? 0) + JSON.stringify(tool.parameters ?? {}).length, 0);
  const calls = messages.flatMap((message) => message.toolCalls ?? []).reduce((sum, call) => sum + call.name.length + call.argsJson.length, 0);
  return definitions + calls;
}

function nameProblem(name: unknown, what: string): string | undefined {
  if (typeof name !== "string" || name === "" || name.length > maxNameChars || !toolName.test(name)) {
    return `${what} must be 1 to ${maxNameChars} letters or digits or _ . -`;
  }
  return undefined;
}

function definitionProblem(tool: ToolDefinition, index: number): string | undefined {
  const nameWrong = nameProblem(tool.name, `tools[${index}] name`);
  if (nameWrong) return nameWrong;
  if (tool.description !== undefined && typeof tool.description !== "string") return `tools[${index}] description must be a string`;
  if (tool.parameters !== undefined && !isJsonObject(tool.parameters)) return `tools[${index}] parameters must be a JSON Schema object`;
  return undefined;
}

function choiceProblem(choice: ToolChoice, tools: ToolDefinition[]): string | undefined {
  if (typeof choice === "string") {
    if (!["auto", "none", "required"].includes(choice)) return "tool_choice must be auto or none or required or a named function";
    return choice !== "none" && tools.length === 0 ? `tool_choice ${choice} needs tools` : undefined;
  }
  if (!tools.some((tool) => tool.name === choice.name)) return "tool_choice names a tool the request does not offer";
  return undefined;
}

// A tool result answers a call made before it: every model API refuses one that does not.
function messageToolProblem(message: ChatMessage, index: number, callIds: Set<string>): string | undefined {
  const { toolCalls, toolCallId } = message;
  if (toolCalls !== undefined && message.role !== "assistant") return `message ${index} has tool calls but only an assistant message may`;
  if (toolCallId !== undefined && message.role !== "tool") return `message ${index} has a tool call id but only a tool message may`;
  if (message.role === "tool") {
    if (typeof toolCallId !== "string" || !callIds.has(toolCallId)) return `message ${index} is a tool result and must name the id of a tool call made before it`;
  }
  if (toolCalls === undefined) return undefined;
  if (toolCalls.length > maxToolCalls) return `message ${index} has more than ${maxToolCalls} tool calls`;
  for (const [at, call] of toolCalls.entries()) {
    const what = `message ${index} tool call ${at}`;
    if (typeof call.id !== "string" || call.id === "" || call.id.length > maxIdChars) return `${what} needs an id of 1 to ${maxIdChars} characters`;
    const nameWrong = nameProblem(call.name, `${what} name`);
    if (nameWrong) return nameWrong;
    if (!jsonObjectOf(call.argsJson)) return `${what} arguments must be a JSON object`;
    callIds.add(call.id);
  }
  return undefined;
}

/** The JSON object a text holds (a tool call's arguments, a tool's schema); undefined for any other text or JSON. @internal */
export function jsonObjectOf(text: unknown): Record<string, unknown> | undefined {
  if (typeof text !== "string") return undefined;
  try {
    const value = JSON.parse(text) as unknown;
    return isJsonObject(value) ? value : undefined;
  } catch {
    return undefined;
  }
}

function isJsonObject(value: unknown): value is Record<string, unknown> {
  return typeof value === "object" && value !== null && !Array.isArray(value);
}
