import { ConnectError } from "@connectrpc/connect";

/** What a Connect or gRPC stream yielded, and the error it ended with: none for a clean end, nor when its client went away on purpose. */
export interface Drained<R> {
  responses: R[];
  error?: ConnectError;
}

/** A call that takes the signal its client aborts to go away. */
export type Call<R> = (signal: AbortSignal) => AsyncIterable<R>;

/** Whether the client should go away now, given the response just read and all read so far. */
export type Until<R> = (response: R, responses: readonly R[]) => boolean;

/** Reads a stream to its end, keeping the error it ended with instead of throwing it. */
export function drain<R>(stream: AsyncIterable<R>): Promise<Drained<R>>;
/** Reads a call to its end, or until `until` holds: then the client goes away, aborting the call, as a client that drops. */
export function drain<R>(call: Call<R>, until?: Until<R>): Promise<Drained<R>>;
export async function drain<R>(source: AsyncIterable<R> | Call<R>, until?: Until<R>): Promise<Drained<R>> {
  const { responses, failure } = await read(source, until);
  return failure ? { responses, error: ConnectError.from(failure.reason) } : { responses };
}

/** Reads a stream to its end and returns what it yielded; the error it ends with is thrown. */
export function readAll<R>(stream: AsyncIterable<R>): Promise<R[]>;
/** Reads a call to its end, or until `until` holds (then the client goes away, aborting the call); an error before is thrown. */
export function readAll<R>(call: Call<R>, until?: Until<R>): Promise<R[]>;
export async function readAll<R>(source: AsyncIterable<R> | Call<R>, until?: Until<R>): Promise<R[]> {
  const { responses, failure } = await read(source, until);
  if (failure) throw failure.reason;
  return responses;
}

/** Reads a stream to its end, showing each response to `onResponse`, and returns the error it ended with; a clean end throws. */
export async function failureOf<R>(stream: AsyncIterable<R>, onResponse: (response: R) => void = () => {}): Promise<ConnectError> {
  try {
    for await (const response of stream) onResponse(response);
  } catch (reason) {
    return ConnectError.from(reason);
  }
  throw new Error("the stream ended without an error");
}

// The error of an abort the reader made itself is no failure: that client went away on purpose.
async function read<R>(source: AsyncIterable<R> | Call<R>, until: Until<R> | undefined): Promise<{ responses: R[]; failure?: { reason: unknown } }> {
  const controller = new AbortController();
  const responses: R[] = [];
  try {
    for await (const response of typeof source === "function" ? source(controller.signal) : source) {
      responses.push(response);
      if (until?.(response, responses)) controller.abort();
    }
    return { responses };
  } catch (reason) {
    return controller.signal.aborted ? { responses } : { responses, failure: { reason } };
  }
}

/** An {@link Until} that holds once `count` deltas have been read. */
export const untilDeltas =
  (count: number) =>
  (_: unknown, responses: readonly { event: { case?: string } }[]): boolean =>
    responses.filter((r) => r.event.case === "delta").length >= count;

/** The id of a resumable stream, from the `started` response its responses begin with; empty when they do not. */
export function streamIdOf(responses: readonly { event: { case?: string; value?: unknown } }[]): string {
  const first = responses[0]?.event;
  return first?.case === "started" ? (first.value as { streamId: string }).streamId : "";
}
