import { canMerge, type Mergeable } from "./iterator-sink.ts";
import type { TokenSink } from "./token-sink.ts";

/**
 * A sink that holds text deltas back for up to `windowMs` and writes them as
 * one, which saves a message, a frame and a write per token on a fast model.
 * Only deltas that the merge rule joins (`canMerge`: one kind, one origin, one
 * tool call) wait together; any other event (a change of part: reasoning to
 * text, a tool call's start or its end, the finish) writes what waits first,
 * then itself, at once, and so does the close. So no part's tail is held past
 * its end, and nothing is reordered.
 */
export function coalescingSink<E extends Mergeable>(sink: TokenSink<E>, windowMs: number): TokenSink<E> {
  let pending: E | undefined;
  let timer: ReturnType<typeof setTimeout> | undefined;
  // A wait the sink asked for when the window's timer wrote: the producer learns of it on its next write.
  let owed: Promise<void> | undefined;
  let closed = false;
  const flush = (): void | Promise<void> => {
    clearTimeout(timer);
    timer = undefined;
    const event = pending;
    pending = undefined;
    return event && sink.write(event);
  };
  return {
    write(event) {
      if (closed) return;
      const earlier = owed;
      owed = undefined;
      if (pending && canMerge(pending, event)) {
        pending.text += event.text!;
        pending.seq = event.seq;
        return earlier;
      }
      const waited = flush() ?? earlier;
      if (!event.text || !canMerge(event, event)) return waited ? waited.then(() => sink.write(event)) : sink.write(event);
      // The event is the coalescer's own from here (a written event belongs to its sink): it grows in place.
      pending = event;
      timer = setTimeout(() => (owed = flush() ?? undefined), windowMs);
      return waited;
    },
    close(error) {
      if (closed) return;
      closed = true;
      const waited = flush();
      if (waited) void waited.then(() => sink.close(error), () => sink.close(error));
      else sink.close(error);
    },
  };
}
