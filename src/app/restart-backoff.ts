/** Options of {@link createRestartBackoff}. */
export interface RestartBackoffOptions {
  /** The wait before the first restart after a calm spell. Default 100 ms. */
  firstMs?: number;
  /** The longest wait. Default 30 s. */
  maxMs?: number;
  /** An exit this long after the previous one starts the waits over. Default 60 s. */
  calmMs?: number;
}

/**
 * How long to wait before starting a worker again after one exited: twice
 * as long after each exit that follows the previous one within `calmMs`, so
 * that a worker that crashes at start does not spin a core, and a rare crash
 * is replaced at once.
 */
export function createRestartBackoff(options: RestartBackoffOptions = {}): { delayAfterExit(now: number): number } {
  const { firstMs = 100, maxMs = 30_000, calmMs = 60_000 } = options;
  let exits = 0;
  let lastExit = -Infinity;
  return {
    delayAfterExit(now) {
      exits = now - lastExit > calmMs ? 1 : exits + 1;
      lastExit = now;
      return Math.min(maxMs, firstMs * 2 ** (exits - 1));
    },
  };
}
