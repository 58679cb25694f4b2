import type { TokenwireError } from "../../src/index.ts";

/** A stream read to its end: what it yielded, and what it threw. */
export interface Collected<E> {
  events: E[];
  error?: TokenwireError;
}

/** Reads a stream to its end, keeping the error it throws instead of rethrowing it. */
export async function collect<E>(events: AsyncIterable<E>): Promise<Collected<E>> {
  const seen: E[] = [];
  try {
    for await (const event of events) seen.push(event);
    return { events: seen };
  } catch (error) {
    return { events: seen, error: error as TokenwireError };
  }
}

/** The values in order, each run of equal values once: `["a", "a", "b", "a"]` → `["a", "b", "a"]`. */
export function runs<T>(values: readonly T[]): T[] {
  return values.filter((value, i) => i === 0 || value !== values[i - 1]);
}

/** True when each number is greater than the one before. */
export function isIncreasing(numbers: readonly number[]): boolean {
  return numbers.every((n, i) => i === 0 || n > numbers[i - 1]!);
}
