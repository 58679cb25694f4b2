import { errors } from "../../core/errors.ts";

// `resp_`, the creation time in seconds as 8 hex digits, then 24 random ones: the shape of OpenAI's own ids, and
// a stream id as the core takes one. The time in the id lets any replica render the same `created_at` from a log
// that keeps only the stream's events.
const responseIdPattern = /^resp_([0-9a-f]{8})[0-9a-f]{24}$/;

/** A new response id, which also names the response's stream when it is kept. */
export function newResponseId(now = Date.now()): string {
  const seconds = Math.floor(now / 1000).toString(16).padStart(8, "0");
  const random = crypto.randomUUID().replaceAll("-", "").slice(0, 24);
  return `resp_${seconds}${random}`;
}

/** True for an id this server could have made. */
export function isResponseId(value: string): boolean {
  return responseIdPattern.test(value);
}

/** The id in a route's path, checked: one this server could have made, else an `invalid_argument`. */
export function responseIdOf(segment: string): string {
  if (!isResponseId(segment)) throw errors.invalidRequest("the response id in the path is not one of this server's (resp_ and 32 hex digits)");
  return segment;
}

/** The creation time a response id holds, in seconds since the epoch. */
export function createdAtOf(responseId: string): number {
  const hex = responseIdPattern.exec(responseId)?.[1];
  return hex === undefined ? 0 : Number.parseInt(hex, 16);
}

/** The response an output item's id names, and the item's place in its output; undefined for an id not of that shape. */
export function itemPlaceOf(itemId: string): { responseId: string; index: number } | undefined {
  const [, hex, index] = /^(?:msg|rs|fc)_([0-9a-f]{32})_(\d{1,6})$/.exec(itemId) ?? [];
  return hex === undefined ? undefined : { responseId: `resp_${hex}`, index: Number(index) };
}

/** The id of a response's output item: its kind's prefix, the response's id and its place in the output. */
export function outputItemId(prefix: "msg" | "rs" | "fc", responseId: string, index: number): string {
  return `${prefix}_${responseId.slice("resp_".length)}_${index}`;
}

/** The id of an item of a response's input, as its list names it: its kind's prefix, the response's id and its place in the input. */
export function inputItemId(prefix: "msg" | "fc" | "fco", responseId: string, index: number): string {
  return `${prefix}_${responseId.slice("resp_".length)}_in${index}`;
}
