import { nextTurn } from "./iterator-sink.ts";

// Starts queued streams one per turn of the event loop. Starting a stream costs about 2 ms of CPU before its
// first upstream I/O (a model, a client, a request), and an HTTP/2 session hands over every stream in one socket
// read at once: 100 or more when the server is busy, which held every open stream's tokens for 300 ms at a time.
// One start per turn lets the tokens read in between go out first (BENCHMARKS.md).
/** @internal A queue that runs each start on a turn of the event loop of its own, in arrival order. */
export function createStartQueue() {
  const pending: (() => void)[] = [];
  const startNext = (): void => {
    pending.shift()!();
    if (pending.length > 0) nextTurn(startNext);
  };
  return (start: () => void): void => {
    if (pending.push(start) === 1) nextTurn(startNext);
  };
}
