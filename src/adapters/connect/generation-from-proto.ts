import type { ChatMessage, GenerationRequest } from "../../core/generation-request.ts";
import { Role, type Generation } from "../../../gen/tokenwire/v1/generation_pb.js";

const roles: Partial<Record<Role, ChatMessage["role"]>> = {
  [Role.SYSTEM]: "system",
  [Role.USER]: "user",
  [Role.ASSISTANT]: "assistant",
};

/** Reads a `tokenwire.v1.Generation` into the core's request; the core validates it. */
export function generationFromProto(generation: Generation | undefined): GenerationRequest {
  if (!generation) return {};
  const { input } = generation;
  return {
    prompt: input.case === "prompt" ? input.value : undefined,
    messages:
      input.case === "conversation"
        ? input.value.messages.map((m) => ({ role: roles[m.role] ?? ("unspecified" as ChatMessage["role"]), content: m.content }))
        : undefined,
    model: generation.model || undefined,
    temperature: generation.temperature,
    maxTokens: generation.maxTokens,
    variables: generation.variables,
    template: generation.template || undefined,
  };
}
