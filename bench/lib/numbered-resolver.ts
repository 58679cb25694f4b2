import { RunnableLambda } from "@langchain/core/runnables";
import type { ModelResolver, ResolvedRun } from "../../src/core/model-resolver.ts";
import { tokenText } from "./bench-model.ts";

/** The model name that asks {@link numberedResolver} for `tokens` numbered tokens, `pauseMs` apart. */
export function numberedModel(tokens: number, pauseMs: number): string {
  return `n-${tokens}-${pauseMs}`;
}

/**
 * Serves every request in process with a runnable that streams the bench's
 * numbered tokens (`0;`, `1;`, …) as its model name says: no upstream and no
 * HTTP client, so that what a stream log adds is what is measured.
 */
export const numberedResolver: ModelResolver = (request): ResolvedRun => {
  const [, tokens = 10, pauseMs = 0] = /^n-(\d+)-(\d+)$/.exec(request.model ?? "")?.map(Number) ?? [];
  const runnable = RunnableLambda.from(async function* () {
    for (let i = 0; i < tokens; i++) {
      if (pauseMs > 0) await new Promise((resolve) => setTimeout(resolve, pauseMs));
      yield tokenText(i, undefined);
    }
  });
  return { model: request.model ?? "", runnable: runnable as unknown as ResolvedRun["runnable"], input: {} };
};
