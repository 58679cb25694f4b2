import { ConfigError } from "../models/env-settings.ts";
import type { TokenwireServer } from "../server/create-tokenwire-server.ts";
import { serve } from "./serve.ts";

/**
 * Runs {@link serve}; a setting it cannot start with is said on stderr in
 * one line, without a stack trace, and resolves undefined. Anything else is a
 * fault, and is thrown with its stack trace.
 */
export async function startServer(env: Record<string, string | undefined> = process.env): Promise<TokenwireServer | undefined> {
  try {
    return await serve(env);
  } catch (error) {
    if (!(error instanceof ConfigError)) throw error;
    process.stderr.write(`tokenwire: cannot start: ${error.message}\n`);
    return undefined;
  }
}
