/**
 * The upstream's model names say what to send: `b-<pause ms>-<tokens>-<tag>`.
 * A pause of 0 sends as fast as the socket takes it; the tag names the request
 * in the upstream's close reports.
 */
export interface BenchModel {
  pauseMs: number;
  tokens: number;
  tag: string;
}

const pattern = /^b-(\d+)-(\d+)-(\w+)$/;

/** The model name that asks the upstream for `model`. */
export function benchModelName({ pauseMs, tokens, tag }: BenchModel): string {
  return `b-${pauseMs}-${tokens}-${tag}`;
}

/** Reads a model name back; undefined if it is not one of the bench's. */
export function parseBenchModel(name: string): BenchModel | undefined {
  const match = pattern.exec(name);
  return match ? { pauseMs: Number(match[1]), tokens: Number(match[2]), tag: match[3]! } : undefined;
}

/**
 * Token `i` of a reply. Paced replies carry the upstream's emit time so a
 * client can tell what every hop after the upstream added; `;` ends a token,
 * so a client can read tokens out of pieces however they were merged or split.
 */
export function tokenText(index: number, emittedAt: number | undefined): string {
  return emittedAt === undefined ? `${index};` : `${index}@${emittedAt.toFixed(3)};`;
}
