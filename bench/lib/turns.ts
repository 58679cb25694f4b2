import { nowMs } from "./clock.ts";
import { tokenText, type BenchModel } from "./bench-model.ts";

/** The part of a chat-completions request that decides what the upstream streams back. */
export interface ChatRequest {
  model: string;
  messages?: { role: string }[];
  tools?: { function: { name: string; parameters?: { properties?: Record<string, unknown> } } }[];
  stream_options?: { include_usage?: boolean };
}

/** One streamed reply: `events` deltas, each built when it is written, then the finish reason. */
export interface Turn {
  events: number;
  delta(index: number, paced: boolean): object;
  finish: "stop" | "tool_calls";
}

/** The numbered tokens every client checks; paced ones carry their emit time. */
export function answerTurn(tokens: number): Turn {
  return {
    events: tokens,
    delta: (i, paced) => (i === 0 ? { role: "assistant", content: tokenText(i, nowMs()) } : { content: tokenText(i, paced ? nowMs() : undefined) }),
    finish: "stop",
  };
}

/**
 * What a tool-calling model streams when it is offered tools and has seen no
 * tool result yet: one call of the first tool, as OpenAI streams it (the id,
 * type and name first with empty arguments, then the arguments in pieces),
 * ended by `finish_reason: "tool_calls"`. Otherwise the numbered answer.
 */
export function turnFor(request: ChatRequest, { tokens, tag }: BenchModel): Turn {
  const tool = request.tools?.[0]?.function;
  if (!tool || request.messages?.some((message) => message.role === "tool")) return answerTurn(tokens);
  const property = Object.keys(tool.parameters?.properties ?? {})[0] ?? "city";
  const pieces = [`{"${property}":`, ` "Paris"}`];
  const call = (fields: object) => ({ tool_calls: [{ index: 0, ...fields }] });
  return {
    events: 1 + pieces.length,
    delta: (i) =>
      i === 0
        ? { role: "assistant", content: null, ...call({ id: `call_${tag}`, type: "function", function: { name: tool.name, arguments: "" } }) }
        : call({ function: { arguments: pieces[i - 1] } }),
    finish: "tool_calls",
  };
}
