/**
 * Milliseconds since the epoch with microsecond resolution, comparable across
 * the bench's processes on one machine: each process's monotonic clock is
 * anchored to the wall clock at its start.
 */
export function nowMs(): number {
  return performance.timeOrigin + performance.now();
}
