import type { TokenSink } from "./token-sink.ts";
import type { TokenwireError } from "./tokenwire-error.ts";

/** Options of {@link createIteratorSink}. */
export interface IteratorSinkOptions {
  /**
   * Characters of unsent text past which `write` asks the producer to wait.
   * Default 64 Ki.
   */
  highWaterMark?: number;
  /** Called once when the consumer stops reading before the stream ended. */
  onReturn?: () => void;
}

/** A sink that is also an async iterable: `for await (const event of sink)`. */
export interface IteratorSink<E> extends TokenSink<E>, AsyncIterable<E> {
  /** Characters of text written and not yet read. */
  readonly buffered: number;
}

/** @internal setImmediate where the runtime has it (Node, Bun); elsewhere a zero timeout. */
export const nextTurn: (callback: () => void) => void = globalThis.setImmediate ?? ((callback) => setTimeout(callback, 0));

/** The fields a sink reads to merge events; events without `text` never merge. */
export type Mergeable = { type?: string; seq?: number; text?: string; origin?: { node?: string; runId?: string }; index?: number; id?: string; name?: string };

// Deltas of these kinds grow while a reader is behind.
const mergeableTypes = new Set(["delta", "reasoning", "tool_call_delta"]);

/**
 * Whether `next` may join `last`: the same kind of delta from the same origin,
 * and for tool calls a later piece of the same call. Nothing merges across
 * kinds, origins or calls, so order between them is kept.
 * @internal
 */
export function canMerge(last: Mergeable | undefined, next: Mergeable): boolean {
  if (last === undefined || last.type !== next.type || !mergeableTypes.has(next.type!)) return false;
  if (last.origin?.runId !== next.origin?.runId || last.origin?.node !== next.origin?.node) return false;
  return next.type !== "tool_call_delta" || (last.index === next.index && next.id === undefined && next.name === undefined);
}

/**
 * Appends an event to a queue of unsent events, merged into the last one when
 * {@link canMerge} allows. The queued delta is the queue's own until sent: it
 * grows in place, no copy per token.
 * @internal
 */
export function enqueue<E extends Mergeable>(queue: E[], event: E): void {
  const last = queue[queue.length - 1];
  if (canMerge(last, event)) {
    last!.text += event.text!;
    last!.seq = event.seq;
  } else {
    queue.push(event);
  }
}

/**
 * A sink read with `for await`: the bridge from the producer's pushes to
 * pull-style hosts. While the consumer is behind, consecutive deltas of one
 * kind and origin merge into one (text joined, sequence of the last), so memory grows
 * with unsent text, not with token count; past the high-water mark the
 * producer waits, which holds back the upstream.
 */
export function createIteratorSink<E extends Mergeable>(options: IteratorSinkOptions = {}): IteratorSink<E> {
  const highWaterMark = options.highWaterMark ?? 65536;
  const queue: E[] = [];
  let buffered = 0;
  let ended = false;
  let failure: TokenwireError | undefined;
  let reader: (() => void) | undefined;
  let writer: (() => void) | undefined;

  // The reader resumes on the next turn of the event loop, not at once: the tokens that one read of the
  // upstream's socket holds then go out as one merged delta, one message and one frame instead of one each,
  // which cuts the server's CPU per token on a fast upstream by about a third (BENCHMARKS.md).
  const wake = (): void => {
    const resume = reader;
    reader = undefined;
    if (resume) nextTurn(resume);
  };
  const release = (): void => {
    if (buffered > highWaterMark) return;
    writer?.();
    writer = undefined;
  };
  const stop = (): void => {
    if (!ended) options.onReturn?.();
    ended = true;
    queue.length = 0;
    buffered = 0;
    release();
  };

  return {
    get buffered() {
      return buffered;
    },
    write(event) {
      if (ended) return;
      buffered += event.text?.length ?? 0;
      enqueue(queue, event);
      wake();
      if (buffered <= highWaterMark) return;
      return new Promise<void>((resolve) => (writer = resolve));
    },
    close(error) {
      if (ended) return;
      ended = true;
      failure = error;
      wake();
    },
    [Symbol.asyncIterator]() {
      return {
        async next(): Promise<IteratorResult<E>> {
          while (queue.length === 0) {
            if (ended) {
              if (failure) throw failure;
              return { done: true, value: undefined };
            }
            await new Promise<void>((resolve) => (reader = resolve));
          }
          const event = queue.shift()!;
          buffered -= event.text?.length ?? 0;
          release();
          return { done: false, value: event };
        },
        async return(): Promise<IteratorResult<E>> {
          stop();
          return { done: true, value: undefined };
        },
      };
    },
  };
}
