/** Options of {@link nearestName}. */
export interface NearestNameOptions {
  /** The most edits a candidate may be away and still count as meant. */
  within: number;
}

/**
 * The candidate fewest edits away from `name` (a letter added, dropped,
 * changed, or two neighbours swapped; case aside), if one is `within` reach;
 * on a tie, the first.
 */
export function nearestName(name: string, candidates: Iterable<string>, { within }: NearestNameOptions): string | undefined {
  let nearest: string | undefined;
  let fewest = within + 1;
  for (const candidate of candidates) {
    const edits = editDistance(name.toLowerCase(), candidate.toLowerCase());
    if (edits < fewest) [nearest, fewest] = [candidate, edits];
  }
  return nearest;
}

// Damerau–Levenshtein as optimal string alignment: a swap of neighbours, the commonest slip, is one edit, not two.
function editDistance(a: string, b: string): number {
  const rows = Array.from({ length: a.length + 1 }, (_, i) => Array.from({ length: b.length + 1 }, (_, j) => (i === 0 ? j : j === 0 ? i : 0)));
  for (let i = 1; i <= a.length; i++) {
    for (let j = 1; j <= b.length; j++) {
      const changed = a[i - 1] === b[j - 1] ? 0 : 1;
      rows[i]![j] = Math.min(rows[i - 1]![j]! + 1, rows[i]![j - 1]! + 1, rows[i - 1]![j - 1]! + changed);
      if (i > 1 && j > 1 && a[i - 1] === b[j - 2] && a[i - 2] === b[j - 1]) rows[i]![j] = Math.min(rows[i]![j]!, rows[i - 2]![j - 2]! + 1);
    }
  }
  return rows[a.length]![b.length]!;
}
