import { createHash, timingSafeEqual } from "node:crypto";
import { errors } from "../core/errors.ts";
import type { Limiter } from "../core/admission.ts";
import type { ApiKeyCaller } from "../config/api-keys-file.ts";
import { createLocalLimits, type Lease, type LimitStore } from "./caller-limits.ts";

/** Options of {@link apiKeyAuthenticator}. */
export interface ApiKeyAuthenticatorOptions {
  /** Where the callers' limits are counted; default this process ({@link createLocalLimits}). */
  limits?: LimitStore;
}

/** API keys as the core's `authenticate` hook, and the limiter that holds each caller to its key's limits. */
export interface ApiKeyAuthenticator {
  /** The `authenticate` hook: the name of the caller whose key `authorization: Bearer <key>` carries; refuses any other call. */
  authenticate(headers: Headers): Promise<string>;
  /** The core's `limiter`: each stream of a caller against the limits its key sets. */
  limiter: Limiter;
  /** Every caller's name, for bounded metric labels. */
  readonly callers: readonly string[];
  /** Lets go of the limit store's connections. */
  close(): Promise<void>;
}

/**
 * Authenticates calls by API key against the SHA-256 of each caller's key,
 * compared in constant time, and holds each caller to its limits: concurrent
 * streams, requests a minute, and output tokens a minute. A generation
 * counts against all three; a reader that resumes a stream of the caller's
 * own is a request, and holds no concurrent stream: the generation it reads
 * holds that one already.
 */
export function apiKeyAuthenticator(callers: readonly ApiKeyCaller[], options: ApiKeyAuthenticatorOptions = {}): ApiKeyAuthenticator {
  const store = options.limits ?? createLocalLimits();
  const entries = callers.map((caller) => ({ caller, digest: Buffer.from(caller.keySha256, "hex") }));
  const byName = new Map(callers.map((caller) => [caller.name, caller]));

  function callerOf(headers: Headers): ApiKeyCaller {
    const key = /^Bearer[ \t]+(\S+)[ \t]*$/i.exec(headers.get("authorization") ?? "")?.[1];
    if (key === undefined) throw errors.apiKeyMissing();
    const digest = createHash("sha256").update(key).digest();
    let found: ApiKeyCaller | undefined;
    // Every entry is compared, so that the time taken says nothing of which one matched.
    for (const entry of entries) if (timingSafeEqual(digest, entry.digest)) found ??= entry.caller;
    if (!found) throw errors.apiKeyUnknown();
    return found;
  }

  return {
    callers: callers.map((caller) => caller.name),
    authenticate: async (headers) => callerOf(headers).name,
    limiter: {
      async admit({ caller, kind, reserveTokens }) {
        const limits = byName.get(caller);
        if (!limits) return { release() {} };
        // A reader spends a request and nothing else: its generation holds the stream and spends the tokens.
        if (kind === "read") return store.admit(caller, { requestsPerMinute: limits.requestsPerMinute });
        return store.admit(caller, limits, { reserveTokens });
      },
    },
    close: () => store.close(),
  };
}
