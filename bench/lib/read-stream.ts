import { nowMs } from "./clock.ts";
import type { OpenStream } from "./harness.ts";
import { createTokenCheck, type TokenTally } from "./token-check.ts";

/** Options of {@link readStream}. */
export interface ReadOptions {
  open: OpenStream;
  model: string;
  /** Take every token's added delay on arrival (paced streams). */
  timed?: boolean;
  /** Called with each piece's arrival; return true to cancel the stream there. */
  onPiece?: (piecesSoFar: number) => boolean | void;
  signal?: AbortController;
}

/** How one stream went, from the client's side. */
export interface StreamOutcome extends TokenTally {
  startedAt: number;
  firstAt: number | undefined;
  endedAt: number;
  error: string | undefined;
}

/** Reads one stream to its end (or to a cancel) and checks its tokens. */
export async function readStream(options: ReadOptions): Promise<StreamOutcome> {
  const controller = options.signal ?? new AbortController();
  const check = createTokenCheck(options.timed ?? false);
  const startedAt = nowMs();
  let firstAt: number | undefined;
  let pieces = 0;
  let error: string | undefined;
  try {
    for await (const piece of options.open(options.model, controller.signal)) {
      const at = nowMs();
      firstAt ??= at;
      check.feed(piece, at);
      if (options.onPiece?.(++pieces)) break;
    }
  } catch (reason) {
    if (!controller.signal.aborted) error = String((reason as Error)?.message ?? reason);
  }
  return { ...check.finish(), startedAt, firstAt, endedAt: nowMs(), error };
}
