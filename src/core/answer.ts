import type { FinishReason, TokenEvent, Usage } from "./token-event.ts";

/** A whole answer, gathered from a token stream: what a unary call returns. */
export interface Answer {
  runId: string;
  model: string;
  text: string;
  reasoning: string;
  toolCalls: { id: string; name: string; argsJson: string }[];
  finishReason: FinishReason;
  usage: Usage | undefined;
}

/** Reads a token stream to its end into one {@link Answer}; a failure is thrown as the stream throws it. */
export async function collectAnswer(events: AsyncIterable<TokenEvent>): Promise<Answer> {
  const answer: Answer = { runId: "", model: "", text: "", reasoning: "", toolCalls: [], finishReason: "stop", usage: undefined };
  for await (const event of events) {
    if (event.type === "started") Object.assign(answer, { runId: event.runId, model: event.model });
    else if (event.type === "delta") answer.text += event.text;
    else if (event.type === "reasoning") answer.reasoning += event.text;
    else if (event.type === "tool_call") answer.toolCalls.push({ id: event.id, name: event.name, argsJson: event.argsJson });
    else if (event.type === "finished") Object.assign(answer, { finishReason: event.finishReason, usage: event.usage });
  }
  return answer;
}
