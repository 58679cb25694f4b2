import type { Code } from "@connectrpc/connect";
import { drain } from "./read-stream.ts";

/** What a `StreamTokens` call carried: its deltas' text, and the code it ended with (undefined for a clean end). */
export interface StreamOutcome {
  text: string;
  code: Code | undefined;
}

/** Reads a `StreamTokens` call to its end and keeps its text and its code, without rethrowing. */
export async function streamOutcome(stream: AsyncIterable<{ event: { case?: string; value?: unknown } }>): Promise<StreamOutcome> {
  const { responses, error } = await drain(stream);
  return { text: deltaTextOf(responses), code: error?.code };
}

/** The text of a core stream's events of one kind, joined; default its deltas. */
export function textOf(events: readonly { type: string; text?: string }[], type: "delta" | "reasoning" = "delta"): string {
  return events.map((e) => (e.type === type ? (e.text ?? "") : "")).join("");
}

/** The text of a `StreamTokens` call's delta messages, joined. */
export function deltaTextOf(responses: readonly { event: { case?: string; value?: unknown } }[]): string {
  return responses.map((r) => (r.event.case === "delta" ? (r.event.value as { text: string }).text : "")).join("");
}
