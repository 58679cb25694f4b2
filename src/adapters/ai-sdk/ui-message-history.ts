import { errors } from "../../core/errors.ts";
import type { ChatMessage, ToolCall } from "../../core/generation-request.ts";
import type { JsonObject } from "../dialect/json-fields.ts";

// Parts that carry nothing a model reads back: the step markers, reasoning, sources and the app's own data.
const quietParts = /^(step-start|reasoning|source-url|source-document|data-.*)$/;

/** True for a tool part: `tool-<name>` for a tool the app declared, `dynamic-tool` for one it did not. @internal */
export function isToolPart(part: JsonObject): boolean {
  const type = String(part.type);
  return type.startsWith("tool-") || type === "dynamic-tool";
}

/** A part's text for the model: a text part's text, nothing for a quiet part; any other is an `invalid_argument`. @internal */
export function textOf(part: JsonObject, index: number): string {
  if (part.type === "text" && typeof part.text === "string") return part.text;
  const type = String(part.type);
  if (quietParts.test(type)) return "";
  if (isToolPart(part)) throw errors.invalidRequest(`messages[${index}] has a ${type} part and only an assistant message may hold tool parts`);
  throw errors.invalidRequest(`messages[${index}] has a ${type} part and only text parts are supported`);
}

interface Step {
  text: string;
  calls: { call: ToolCall; result: string }[];
}

/**
 * An assistant UI message as the conversation a model reads back: each step
 * (parts up to a `step-start`, or text after tool calls) as an assistant
 * message with its text and tool calls, then one tool message per call with
 * its output, error or denial. A call with no result yet (still streaming,
 * awaiting approval, or stopped mid-call) is left out with its part: every
 * model API refuses a call that has no result after it.
 * @internal
 */
export function assistantHistory(parts: JsonObject[], index: number): ChatMessage[] {
  const history: ChatMessage[] = [];
  let step: Step = { text: "", calls: [] };
  const flush = (): void => {
    if (step.text !== "" || step.calls.length > 0) history.push(...stepMessages(step));
    step = { text: "", calls: [] };
  };
  for (const part of parts) {
    if (part.type === "step-start") flush();
    else if (isToolPart(part)) {
      const answered = answeredCall(part, index);
      if (answered) step.calls.push(answered);
    } else {
      const text = textOf(part, index);
      if (text !== "" && step.calls.length > 0) flush();
      step.text += text;
    }
  }
  flush();
  return history;
}

function stepMessages({ text, calls }: Step): ChatMessage[] {
  const assistant: ChatMessage = calls.length > 0 ? { role: "assistant", content: text, toolCalls: calls.map(({ call }) => call) } : { role: "assistant", content: text };
  return [assistant, ...calls.map(({ call, result }): ChatMessage => ({ role: "tool", content: result, toolCallId: call.id }))];
}

function answeredCall(part: JsonObject, index: number): Step["calls"][number] | undefined {
  const type = String(part.type);
  const result = resultOf(part, `messages[${index}] has a ${type} part`);
  if (result === undefined) return undefined;
  if (typeof part.toolCallId !== "string") throw errors.invalidRequest(`messages[${index}] has a ${type} part without a toolCallId`);
  const input = part.input ?? {};
  if (typeof input !== "object" || Array.isArray(input)) throw errors.invalidRequest(`messages[${index}] has a ${type} part whose input is not a JSON object`);
  const name = type === "dynamic-tool" ? (part.toolName as string) : type.slice("tool-".length);
  return { call: { id: part.toolCallId, name, argsJson: JSON.stringify(input) }, result };
}

// What the model reads as the tool's result, as the AI SDK's own conversion gives it: the output, the error, or the denial.
function resultOf(part: JsonObject, what: string): string | undefined {
  if (part.state === "output-available") return typeof part.output === "string" ? part.output : JSON.stringify(part.output ?? null);
  if (part.state === "output-error") {
    if (part.errorText !== undefined && typeof part.errorText !== "string") throw errors.invalidRequest(`${what} whose errorText is not a string`);
    return part.errorText ?? "the tool failed";
  }
  if (part.state !== "output-denied") return undefined;
  const reason = (part.approval as { reason?: unknown } | undefined)?.reason;
  return typeof reason === "string" && reason !== "" ? `The tool call was denied: ${reason}` : "The tool call was denied.";
}
