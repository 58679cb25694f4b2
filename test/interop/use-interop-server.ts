import { afterAll, beforeAll } from "vitest";
import { startFakeOpenAI, type FakeOpenAI } from "../fixtures/fake-openai.ts";
import { startTokenwireProcess, type TokenwireProcess } from "../fixtures/tokenwire-process.ts";

/** The model names interop tests ask for; the fake upstream picks its behaviour by name. */
export const interopModels = {
  /** The server's default: the fake's default reply. */
  default: "gpt-test",
  rateLimited: "status-429",
  failing: "status-500",
  /** Three tokens, then a reset connection. */
  reset: "reset-after-3",
  /** Three tokens, then silence with the connection open. */
  stalling: "stall-after-3",
  /** Offered by the fake but not by the server. */
  unknown: "not-offered",
} as const;

/** The fake upstream and the server process, set once `beforeAll` has run. */
export interface InteropServer {
  fake: FakeOpenAI;
  server: TokenwireProcess;
}

/**
 * Registers hooks that start a fake OpenAI upstream and `npm start` against
 * it before the file's tests, and stop both after them, even when a test fails.
 */
export function useInteropServer(): InteropServer {
  const stack = {} as InteropServer;
  beforeAll(async () => {
    // A small pace between tokens lets most readers take each token alone; tests still allow merged deltas.
    stack.fake = await startFakeOpenAI({ intervalMs: 5 });
    const { unknown: _, ...offered } = interopModels;
    stack.server = await startTokenwireProcess({ upstreamUrl: stack.fake.url, models: Object.values(offered) });
  });
  afterAll(async () => {
    await stack.server?.stop();
    await stack.fake?.close();
  });
  return stack;
}

/**
 * True when the pieces are the tokens in order, each piece one token or
 * several consecutive ones (a slow reader gets pending tokens merged).
 */
export function isTokenSplit(pieces: readonly string[], tokens: readonly string[]): boolean {
  let next = 0;
  for (const piece of pieces) {
    let text = "";
    while (text.length < piece.length && next < tokens.length) text += tokens[next++];
    if (text !== piece) return false;
  }
  return next === tokens.length;
}
