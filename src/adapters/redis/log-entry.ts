import type { Code } from "../../core/code.ts";
import type { TokenEvent } from "../../core/token-event.ts";
import { TokenwireError } from "../../core/tokenwire-error.ts";

/** The last entry of every stream's log: how it ended, and the sequence it ended at. @internal */
export interface EndMarker {
  type: "end";
  /** One more than the last event's sequence the producer wrote. */
  seq: number;
  error?: { code: Code; message: string };
}

/** What a stream's log holds: its events in order, then one end marker. @internal */
export type LogEntry = TokenEvent | EndMarker;

// XADD refuses the id 0-0, so events go under 1-<seq>; the end marker's id is above every event's,
// so it lands even when an event before it was lost, and nothing can be appended after it.
/** The entry id of the event with this sequence. @internal */
export const eventId = (seq: number): string => `1-${seq}`;

/** The entry id of the end marker. @internal */
export const endId = "2-0";

/** The end marker for a stream closed with this outcome, as JSON. @internal */
export function endMarkerJson(seq: number, error?: TokenwireError): string {
  const marker: EndMarker = { type: "end", seq, ...(error && { error: { code: error.code, message: error.message } }) };
  return JSON.stringify(marker);
}

/** The failure an end marker carries, as the error the producer closed with. @internal */
export function failureOf(marker: EndMarker): TokenwireError | undefined {
  return marker.error && new TokenwireError(marker.error.code, marker.error.message);
}

/** The sequence of the last event in a log whose last entry before the end marker has this id; -1 for none. @internal */
export function seqOfId(id: string | undefined): number {
  return id === undefined ? -1 : Number(id.slice(id.indexOf("-") + 1));
}
