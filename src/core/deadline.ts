/**
 * The longest delay a Node timer holds: 2^31−1 ms, about 24.8 days. A longer
 * one fires at once, with a `TimeoutOverflowWarning`
 * (https://nodejs.org/api/timers.html#settimeoutcallback-delay-args).
 */
export const longestTimerMs = 2 ** 31 - 1;

/**
 * A deadline as a timer can hold it: a deadline longer than the longest timer
 * is, in practice, none (a one-year `grpc-timeout`, as grpc-go sends one), so
 * it reads as unset rather than firing at once.
 */
export function deadlineWithinTimers(timeoutMs: number | undefined): number | undefined {
  return timeoutMs === undefined || timeoutMs > longestTimerMs ? undefined : Math.max(0, timeoutMs);
}

/** Calls `expire` once the deadline passes; the returned function disarms it. One timer, or none past the longest. */
export function armDeadline(timeoutMs: number | undefined, expire: () => void): () => void {
  const ms = deadlineWithinTimers(timeoutMs);
  if (ms === undefined) return () => {};
  const timer = setTimeout(expire, ms);
  return () => clearTimeout(timer);
}
