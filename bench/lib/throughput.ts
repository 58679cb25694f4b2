import { benchModelName } from "./bench-model.ts";
import { nowMs } from "./clock.ts";
import type { OpenStream } from "./harness.ts";
import { readStream } from "./read-stream.ts";

/** How much the throughput scenario reads: on every connection, `streamsEach` fast replies of `tokens` tokens, one after another. */
export interface ThroughputConfig {
  streamsEach: number;
  tokens: number;
}

/**
 * Reads fast replies on every connection at once, each connection's one
 * after another, and returns the tokens per second all clients received
 * together, and the streams with tokens lost or reordered.
 */
export async function throughput(connections: OpenStream[], config: ThroughputConfig, tag: string) {
  const startedAt = nowMs();
  const outcomes = await Promise.all(
    connections.map(async (open, c) => {
      const read = [];
      for (let i = 0; i < config.streamsEach; i++) read.push(await readStream({ open, model: benchModelName({ pauseMs: 0, tokens: config.tokens, tag: `${tag}c${c}s${i}` }) }));
      return read;
    }),
  );
  const seconds = (nowMs() - startedAt) / 1000;
  const all = outcomes.flat();
  const tokens = all.reduce((sum, outcome) => sum + outcome.tokens, 0);
  const broken = all.filter((outcome) => outcome.error !== undefined || !outcome.inOrder || outcome.tokens !== config.tokens).length;
  return { tokens, seconds, tokensPerSecond: tokens / seconds, broken };
}
