import { toolChars, toolProblem } from "./chat-tools.ts";
import { errors } from "./errors.ts";
import type { ChatMessage, GenerationRequest } from "./generation.ts";

export type { ChatMessage, GenerationRequest, ToolCall, ToolChoice, ToolDefinition } from "./generation.ts";

const maxNameChars = 128;

/** Bounds on a request's size, checked before any model is called. */
export interface RequestLimits {
  /** Characters of prompt, messages and variables together; default 100,000. */
  maxInputChars?: number;
  /** The largest `maxTokens` a caller may ask for; default 32,768. */
  maxTokens?: number;
}

/**
 * Throws an `invalid_argument` TokenwireError that names the first
 * thing wrong with a request, so a caller knows what to fix.
 */
export function validateRequest(request: GenerationRequest, limits: RequestLimits = {}): void {
  const problem = findProblem(request, limits);
  if (problem) throw errors.invalidRequest(problem);
}

function findProblem(request: GenerationRequest, limits: RequestLimits): string | undefined {
  const { prompt, messages = [], temperature, maxTokens, variables = {} } = request;
  const maxTokensLimit = limits.maxTokens ?? 32768;
  const maxInputChars = limits.maxInputChars ?? 100_000;
  if (prompt !== undefined && prompt !== "" && messages.length > 0) return "give a prompt or messages but not both";
  if (!prompt?.trim() && messages.length === 0) return "the prompt is empty";
  const badMessage = messages.findIndex((m) => !roles.includes(m.role) || typeof m.content !== "string" || (!m.content.trim() && !mayBeEmpty(m)));
  if (badMessage >= 0) return `message ${badMessage} needs a role (system or user or assistant or tool) and content`;
  const toolsWrong = toolProblem(request);
  if (toolsWrong) return toolsWrong;
  if (temperature !== undefined && !(temperature >= 0 && temperature <= 2)) return "temperature must be between 0 and 2";
  if (maxTokens !== undefined && !(Number.isInteger(maxTokens) && maxTokens >= 1 && maxTokens <= maxTokensLimit)) {
    return `max_tokens must be an integer from 1 to ${maxTokensLimit}`;
  }
  if (inputChars(request) > maxInputChars) return `the input is longer than ${maxInputChars} characters`;
  // Names travel back in errors and log lines: a bound keeps both small.
  if ((request.model?.length ?? 0) > maxNameChars) return `the model name is longer than ${maxNameChars} characters`;
  if ((request.template?.length ?? 0) > maxNameChars) return `the template name is longer than ${maxNameChars} characters`;
  if (Object.keys(variables).some((name) => name.length > maxNameChars)) return `a variable name is longer than ${maxNameChars} characters`;
  if (Object.keys(variables).some((name) => !/^[A-Za-z_][A-Za-z0-9_]*$/.test(name))) return "variable names must be identifiers";
  return undefined;
}

const roles: readonly string[] = ["system", "user", "assistant", "tool"];

// A tool may return nothing, and an assistant message that calls tools may say nothing.
function mayBeEmpty(message: ChatMessage): boolean {
  return message.role === "tool" || (message.role === "assistant" && (message.toolCalls?.length ?? 0) > 0);
}

function inputChars(request: GenerationRequest): number {
  const { prompt = "", messages = [], variables = {} } = request;
  const parts = [prompt, ...messages.map((m) => m.content), ...Object.entries(variables).flat()];
  return parts.reduce((sum, part) => sum + part.length, toolChars(request));
}
