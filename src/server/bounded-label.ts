/**
 * A metric label that cannot grow without bound: the names in `known` as
 * they are and every other as `other` or, with no names known, the first
 * `max` distinct values seen and `other` after them.
 */
export function boundedLabel(known: () => readonly string[], max: number): (value: string) => string {
  const seen = new Set<string>();
  return (value) => {
    const names = known();
    if (names.includes(value)) return value;
    if (names.length > 0) return "other";
    if (seen.has(value) || (seen.size < max && seen.add(value))) return value;
    return "other";
  };
}
