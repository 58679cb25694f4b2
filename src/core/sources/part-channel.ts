/** Parts queued before the handler that pushes them is made to wait. */
const bound = 64;

/**
 * A queue from LangChain's callbacks (push) to a source's generator (pull).
 * `push` returns a promise once the queue is full; a handler LangChain awaits
 * then holds back the model's loop, so a slow reader backs pressure upstream.
 * @internal
 */
export function createPartChannel<T>() {
  const items: T[] = [];
  let ended = false;
  let failure: unknown;
  let wakeReader: (() => void) | undefined;
  let wakeWriters: (() => void) | undefined;
  const wake = (): void => {
    wakeReader?.();
    wakeReader = undefined;
  };
  return {
    push(item: T): Promise<void> | undefined {
      items.push(item);
      wake();
      if (items.length < bound) return undefined;
      return new Promise<void>((resolve) => (wakeWriters = resolve));
    },
    end(error?: unknown): void {
      ended = true;
      failure = error;
      wake();
    },
    async *[Symbol.asyncIterator](): AsyncGenerator<T> {
      for (;;) {
        while (items.length > 0) {
          yield items.shift()!;
          if (items.length === 0) wakeWriters?.();
        }
        if (ended) {
          if (failure !== undefined) throw failure;
          return;
        }
        await new Promise<void>((resolve) => (wakeReader = resolve));
      }
    },
  };
}
