import type { ChatMessage } from "../../core/generation-request.ts";
import type { ResponseEcho } from "./response-builder.ts";

/**
 * What a kept response's log holds of its request, on its stream's started
 * event: the fields its object repeats, and the conversation its output
 * follows, which a response naming it as `previous_response_id` goes on from.
 */
export interface ResponseNote {
  echo: ResponseEcho;
  /** The messages before its output, its instructions apart: its previous response's conversation and output, then its own input. */
  conversation: ChatMessage[];
}

/** The response's note that a started event carries; none for a stream kept without one. */
export function responseNoteOf(note: unknown): ResponseNote | undefined {
  const kept = note as Partial<ResponseNote> | undefined;
  return typeof kept?.echo === "object" && Array.isArray(kept.conversation) ? (kept as ResponseNote) : undefined;
}
