// What a caller asks to generate: the request every wire turns its own into, before any check.

/** A tool the model may call: its name, what it does, and its arguments as a JSON Schema. */
export interface ToolDefinition {
  name: string;
  description?: string;
  /** A JSON Schema of the arguments' object; unset for a tool that takes none. */
  parameters?: Record<string, unknown>;
}

/** Whether the model may call a tool: as it sees fit, never, always, or this one. */
export type ToolChoice = "auto" | "none" | "required" | { name: string };

/** A call an assistant message made, its arguments as a JSON object's text. */
export interface ToolCall {
  id: string;
  name: string;
  argsJson: string;
}

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
