import { ResponseStream } from "openai/lib/responses/ResponseStream";
import type OpenAI from "openai";
import { frameGroups } from "../dialect/sse-events.ts";

/** One event of the Responses API's stream, as a client parses it. */
export type StreamEvent = OpenAI.Responses.ResponseStreamEvent;

/** The events of a Responses stream's bytes, in order, as their frames' JSON. */
export async function responseEventsOf(body: ReadableStream<Uint8Array> | Iterable<Uint8Array>): Promise<StreamEvent[]> {
  const events: StreamEvent[] = [];
  for await (const group of frameGroups(body)) events.push(...(group.data as unknown as StreamEvent[]));
  return events;
}

/**
 * The response the official client's own accumulator (`ResponseStream`, what
 * `client.responses.stream()` runs) builds from these events: it checks each
 * event against the items before it, and throws on one out of place.
 */
export async function accumulated(events: readonly StreamEvent[]): Promise<OpenAI.Responses.Response> {
  const lines = new TextEncoder().encode(events.map((event) => JSON.stringify(event)).join("\n") + "\n");
  const body = new ReadableStream<Uint8Array>({ start: (controller) => (controller.enqueue(lines), controller.close()) });
  return ResponseStream.fromReadableStream(body).finalResponse();
}

/** The text of the `output_text` deltas among the events. */
export function deltaText(events: readonly StreamEvent[]): string {
  return events.map((event) => (event.type === "response.output_text.delta" ? event.delta : "")).join("");
}
