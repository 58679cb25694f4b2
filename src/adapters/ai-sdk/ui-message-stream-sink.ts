import type { TokenEvent } from "../../core/token-event.ts";
import { createSseSink, doneFrame, sseFrame, type SseEncoder, type SseSink, type SseSinkOptions } from "../dialect/sse-sink.ts";

/** The header by which the AI SDK knows its UI message stream protocol. */
export const uiMessageStreamHeaders: Record<string, string> = { "x-vercel-ai-ui-message-stream": "v1" };

// The AI SDK's spelling of each finish reason; one it has no word for is `other`.
const finishReasons: Record<string, string> = { stop: "stop", length: "length", content_filter: "content-filter", tool_calls: "tool-calls" };

/**
 * A sink that writes the AI SDK's UI message stream, as `useChat` reads it:
 * `start`, text and reasoning as `*-start`/`*-delta`/`*-end` blocks (a new
 * block for each model call of a graph), tool calls as `tool-input-start`,
 * `tool-input-delta` and `tool-input-available`, tool results as
 * `tool-output-available` or `tool-output-error`, then `finish` (or `abort`
 * for a stream that a stop request ended) and `[DONE]`;
 * a failure as an `error` chunk.
 */
export function createUIMessageStreamSink(options: SseSinkOptions = {}): SseSink {
  return createSseSink(uiMessageEncoder(), options);
}

interface Block {
  kind: "text" | "reasoning";
  id: string;
  runId: string | undefined;
}

function uiMessageEncoder(): SseEncoder {
  let seq = 0;
  let open: Block | undefined;
  const toolCallIds = new Map<string, string>();
  const announced = new Set<string>();
  const frame = (data: object) => sseFrame(seq, data);
  const close = (): string => {
    const block = open;
    open = undefined;
    return block ? frame({ type: `${block.kind}-end`, id: block.id }) : "";
  };
  const block = (kind: Block["kind"], event: { text: string; origin?: { runId?: string } }): string => {
    let frames = "";
    if (open?.kind !== kind || open.runId !== event.origin?.runId) {
      frames = close();
      open = { kind, id: `${kind}-${seq}`, runId: event.origin?.runId };
      frames += frame({ type: `${kind}-start`, id: open.id });
    }
    return frames + frame({ type: `${kind}-delta`, id: open.id, delta: event.text });
  };
  const input = (event: Extract<TokenEvent, { type: "tool_call_delta" }>): string => {
    const key = `${event.origin?.runId}:${event.index}`;
    let frames = close();
    if (event.id !== undefined) {
      toolCallIds.set(key, event.id);
      frames += frame({ type: "tool-input-start", toolCallId: event.id, toolName: event.name ?? "" });
    }
    const toolCallId = toolCallIds.get(key);
    if (toolCallId !== undefined && event.text !== "") frames += frame({ type: "tool-input-delta", toolCallId, inputTextDelta: event.text });
    return frames;
  };
  const available = (toolCallId: string, toolName: string, argsJson: string): string => {
    announced.add(toolCallId);
    return frame({ type: "tool-input-available", toolCallId, toolName, input: jsonOrText(argsJson) });
  };
  return {
    event(event) {
      seq = event.seq;
      switch (event.type) {
        case "started":
          return frame({ type: "start", messageId: event.runId });
        case "delta":
          return block("text", event);
        case "reasoning":
          return block("reasoning", event);
        case "tool_call_delta":
          return input(event);
        case "tool_call":
          return close() + available(event.id, event.name, event.argsJson);
        case "tool_result": {
          // A result needs its call in the message: the AI SDK refuses one for a call it has not seen.
          const call = announced.has(event.toolCallId) ? "" : available(event.toolCallId, event.name, "null");
          const output = event.isError ? { type: "tool-output-error", errorText: event.content } : { type: "tool-output-available", output: event.content };
          return close() + call + frame({ ...output, toolCallId: event.toolCallId });
        }
        case "finished":
          // A stop request ended it: the AI SDK's word for that is an abort, as `streamText` sends when aborted.
          if (event.finishReason === "stopped") return close() + frame({ type: "abort", reason: event.finishReason });
          return close() + frame({ type: "finish", finishReason: finishReasons[event.finishReason] ?? "other" });
        default:
          return "";
      }
    },
    end(error) {
      if (!error) return doneFrame;
      if (error.code === "canceled") return "";
      return `${close()}data: ${JSON.stringify({ type: "error", errorText: error.message })}\n\n${doneFrame}`;
    },
  };
}

function jsonOrText(text: string): unknown {
  try {
    return JSON.parse(text) as unknown;
  } catch {
    return text;
  }
}
