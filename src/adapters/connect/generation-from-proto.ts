import { Code, ConnectError } from "@connectrpc/connect";
import { jsonObjectOf } from "../../core/chat-tools.ts";
import type { ChatMessage, GenerationRequest, ToolChoice, ToolDefinition } from "../../core/generation-request.ts";
import { Role, ToolMode, type ChatMessage as ProtoChatMessage, type Generation, type Tool, type ToolChoice as ProtoToolChoice } from "../../../gen/tokenwire/v1/generation_pb.js";

const roles: Partial<Record<Role, ChatMessage["role"]>> = {
  [Role.SYSTEM]: "system",
  [Role.USER]: "user",
  [Role.ASSISTANT]: "assistant",
  [Role.TOOL]: "tool",
};

const modes: Partial<Record<ToolMode, ToolChoice>> = {
  [ToolMode.AUTO]: "auto",
  [ToolMode.NONE]: "none",
  [ToolMode.REQUIRED]: "required",
};

/**
 * Reads a `tokenwire.v1.Generation` into the core's request; the core
 * validates it. A tool's `parameters_json` that is not a JSON object is
 * `invalid_argument` here, where the text is still the caller's.
 */
export function generationFromProto(generation: Generation | undefined): GenerationRequest {
  if (!generation) return {};
  const { input } = generation;
  return {
    prompt: input.case === "prompt" ? input.value : undefined,
    messages: input.case === "conversation" ? input.value.messages.map(messageFromProto) : undefined,
    model: generation.model || undefined,
    temperature: generation.temperature,
    maxTokens: generation.maxTokens,
    variables: generation.variables,
    template: generation.template || undefined,
    tools: generation.tools.length > 0 ? generation.tools.map(toolFromProto) : undefined,
    toolChoice: choiceFromProto(generation.toolChoice),
  };
}

function messageFromProto(message: ProtoChatMessage): ChatMessage {
  const read: ChatMessage = { role: roles[message.role] ?? ("unspecified" as ChatMessage["role"]), content: message.content };
  if (message.toolCalls.length > 0) read.toolCalls = message.toolCalls.map(({ id, name, argsJson }) => ({ id, name, argsJson }));
  if (message.toolCallId) read.toolCallId = message.toolCallId;
  return read;
}

function toolFromProto({ name, description, parametersJson }: Tool, index: number): ToolDefinition {
  if (!parametersJson) return { name, description: description || undefined };
  const parameters = jsonObjectOf(parametersJson);
  if (!parameters) throw new ConnectError(`tools[${index}].parameters_json must be a JSON object (a JSON Schema)`, Code.InvalidArgument);
  return { name, description: description || undefined, parameters };
}

function choiceFromProto(choice: ProtoToolChoice | undefined): ToolChoice | undefined {
  if (choice?.choice.case === "name") return { name: choice.choice.value };
  if (choice?.choice.case === "mode") return modes[choice.choice.value];
  return undefined;
}
