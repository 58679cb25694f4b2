import type { MessageInitShape } from "@bufbuild/protobuf";
import { Role, type ChatMessageSchema } from "../gen/tokenwire/v1/generation_pb.js";

type ChatMessageInit = MessageInitShape<typeof ChatMessageSchema>;

/** One question and the answer's text so far. */
export interface Turn {
  question: string;
  answer: string;
}

/**
 * The history a request sends as `generation.conversation`: the system
 * prompt first when there is one, then each question and its answer. An
 * answer stopped or cut by an error counts for what it said; one that said
 * nothing is left out, so the question still goes.
 */
export function conversationMessages(system: string, turns: Turn[]): ChatMessageInit[] {
  const messages: ChatMessageInit[] = system.trim() ? [{ role: Role.SYSTEM, content: system }] : [];
  for (const { question, answer } of turns) {
    messages.push({ role: Role.USER, content: question });
    if (answer) messages.push({ role: Role.ASSISTANT, content: answer });
  }
  return messages;
}
