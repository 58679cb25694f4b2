import { toolChars, toolProblem, type ToolCall, type ToolChoice, type ToolDefinition } from "./chat-tools.ts";
import { TokenwireError } from "./tokenwire-error.ts";

export type { ToolCall, ToolChoice, ToolDefinition } from "./chat-tools.ts";

/** One message of a chat history. */
export interface ChatMessage {
  role: "system" | "user" | "assistant" | "tool";
  /** The text; may be empty for an assistant message that only calls tools, and for a tool's result. */
  content: string;
  /** The tools an assistant message called. */
  toolCalls?: ToolCall[];
  /** The call a tool message is the result of. */
  toolCallId?: string;
}

/** What a caller asks to generate, whatever wire it came over. */
export interface GenerationRequest {
  /** A single prompt; with a prompt template it fills the template's main variable. */
  prompt?: string;
  /** A chat history, oldest first; used when there is no prompt. */
  messages?: ChatMessage[];
  /** A model name; empty or unset for the default. */
  model?: string;
  /** 0 to 2; unset for the model's default. */
  temperature?: number;
  /** 1 to the limit; unset for the model's default. */
  maxTokens?: number;
  /** Sequences at which the model stops generating; unset for none. */
  stop?: string[];
  /** Values for a prompt template's other variables. */
  variables?: Record<string, string>;
  /** A prompt template the server offers, by name; empty or unset for the default. */
  template?: string;
  /** Tools the chat model may call; its calls stream back as tool-call events. */
  tools?: ToolDefinition[];
  /** Whether the model may, must or must not call a tool; unset for the model's default. */
  toolChoice?: ToolChoice;
}

const maxNameChars = 128;

/** Bounds on a request's size, checked before any model is called. */
export interface RequestLimits {
  /** Characters of prompt, messages and variables together; default 100,000. */
  maxInputChars?: number;
  /** The largest `maxTokens` a caller may ask for; default 32,768. */
  maxTokens?: number;
}

/**
 * Throws an `invalid_argument` {@link TokenwireError} that names the first
 * thing wrong with a request, so a caller knows what to fix.
 */
export function validateRequest(request: GenerationRequest, limits: RequestLimits = {}): void {
  const problem = findProblem(request, limits);
  if (problem) throw new TokenwireError("invalid_argument", problem);
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
