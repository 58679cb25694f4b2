import { callbackSource } from "./callback-source.ts";
import { chunkSource } from "./chunk-source.ts";
import type { TokenSource } from "./token-source.ts";

interface RunnableShape {
  lc_namespace?: unknown;
  bound?: unknown;
  first?: unknown;
  last?: unknown;
}

/**
 * Picks the source for a runnable: its own `.stream()` where that yields the
 * tokens (a chat model, or a chain that ends in one or in a string parser),
 * which costs least per token; LangChain's callbacks for everything else.
 */
export function sourceFor(runnable: unknown): TokenSource {
  return streamsItsTokens(runnable) ? chunkSource : callbackSource;
}

function streamsItsTokens(runnable: unknown): boolean {
  const shape = runnable as RunnableShape | null;
  if (typeof shape !== "object" || shape === null) return false;
  const namespace = Array.isArray(shape.lc_namespace) ? shape.lc_namespace : [];
  if (namespace.includes("chat_models")) return true;
  // model.bindTools(…) and model.withConfig(…): a binding around a chat model.
  if (shape.bound !== undefined) return streamsItsTokens(shape.bound);
  // A sequence: its last step decides, and a string parser passes on the tokens of a model before it.
  if (shape.first !== undefined && shape.last !== undefined) return streamsItsTokens(shape.last) || isStringParser(shape.last);
  return false;
}

function isStringParser(runnable: unknown): boolean {
  const namespace = (runnable as RunnableShape).lc_namespace;
  return Array.isArray(namespace) && namespace.includes("output_parsers") && namespace.includes("string");
}
