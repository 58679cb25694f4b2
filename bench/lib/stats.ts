/** The value below which `p` (0–1) of `values` fall; NaN for none. Sorts a copy. */
export function percentile(values: readonly number[], p: number): number {
  if (values.length === 0) return Number.NaN;
  const sorted = values.toSorted((a, b) => a - b);
  return sorted[Math.min(sorted.length - 1, Math.floor(p * sorted.length))]!;
}

/** The middle value of a sample, or the mean of the two middle ones; NaN for none. */
export function median(values: readonly number[]): number {
  const sorted = values.toSorted((a, b) => a - b);
  const half = Math.floor(sorted.length / 2);
  return sorted.length % 2 === 1 ? sorted[half]! : (sorted[half - 1]! + sorted[half]!) / 2;
}

/** p50, p99 and max of a sample, the way every latency figure here is quoted. */
export function summarize(values: readonly number[]) {
  return { p50: percentile(values, 0.5), p99: percentile(values, 0.99), max: percentile(values, 1), count: values.length };
}

export type Summary = ReturnType<typeof summarize>;
