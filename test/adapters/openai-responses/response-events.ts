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

/** True once the events hold some text. */
export const firstDelta = (events: readonly StreamEvent[]): boolean => deltaText(events) !== "";

/** Reads a stream until `until` holds, then leaves it: the request is aborted, as a dropped connection is. */
export async function readUntil(stream: AsyncIterable<StreamEvent>, until: (events: StreamEvent[]) => boolean): Promise<StreamEvent[]> {
  const events: StreamEvent[] = [];
  for await (const event of stream) {
    events.push(event);
    if (until(events)) break;
  }
  return events;
}

/** Reads a stream to its end. */
export const toEnd = (stream: AsyncIterable<StreamEvent>): Promise<StreamEvent[]> => readUntil(stream, () => false);

// The client adds `output_text` to what it creates and retrieves, not to what it cancels: the items say it for all.
/** The text of a response's message items. */
export const textOf = (response: OpenAI.Responses.Response): string =>
  response.output.flatMap((item) => (item.type === "message" ? item.content.map((part) => (part.type === "output_text" ? part.text : "")) : [])).join("");
