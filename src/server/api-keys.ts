import { AsyncLocalStorage } from "node:async_hooks";
import { createHash, timingSafeEqual } from "node:crypto";
import { errors } from "../core/errors.ts";
import type { StreamObserver } from "../core/tokenwire-options.ts";
import type { ApiKeyCaller } from "./api-keys-file.ts";
import { createLocalLimits, type Lease, type LimitStore } from "./caller-limits.ts";

/** Options of {@link apiKeyAuthenticator}. */
export interface ApiKeyAuthenticatorOptions {
  /** Where the callers' limits are counted; default this process ({@link createLocalLimits}). */
  limits?: LimitStore;
}

/** API keys as the core's `authenticate` hook, and the stream observer that holds each caller to its limits. */
export interface ApiKeyAuthenticator {
  /** The `authenticate` hook: the name of the caller whose key `authorization: Bearer <key>` carries; refuses any other call. */
  authenticate(headers: Headers): Promise<string>;
  /** Holds each stream against its caller's limits until it ends: pass it in the options' `observers`. */
  observer: StreamObserver;
  /** Every caller's name, for bounded metric labels. */
  readonly callers: readonly string[];
  /** Lets go of the limit store's connections. */
  close(): Promise<void>;
}

/** What a stream's admission took, so that its end gives it back with the tokens its generation spent. */
interface Admission {
  lease: Lease | undefined;
  /** The stream and the resumable generation it started, while they run: the lease is settled once neither does. */
  running: number;
  spent: number | undefined;
}

/**
 * Authenticates calls by API key against the SHA-256 of each caller's key,
 * compared in constant time, and holds each caller to its limits: concurrent
 * streams, requests a minute, and output tokens a minute.
 *
 * A stream's limits are taken when the core authenticates it. The observer
 * makes the stream current while it starts, so that the hook can tell a
 * stream's admission, which counts, from a stop request, which does not.
 */
export function apiKeyAuthenticator(callers: readonly ApiKeyCaller[], options: ApiKeyAuthenticatorOptions = {}): ApiKeyAuthenticator {
  const store = options.limits ?? createLocalLimits();
  const entries = callers.map((caller) => ({ caller, digest: Buffer.from(caller.keySha256, "hex") }));
  const admitting = new AsyncLocalStorage<Admission>();

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
    async authenticate(headers) {
      const caller = callerOf(headers);
      const admission = admitting.getStore();
      if (admission && !admission.lease) {
        admission.lease = await store.admit(caller.name, caller);
        if (admission.running === 0) admission.lease.release(admission.spent);
      }
      return caller.name;
    },
    observer: ({ kind }) => {
      const admission: Admission = { lease: undefined, running: 1, spent: undefined };
      // A resumable stream's generation starts within its first reader's admission, and settles it.
      const settled = (kind === "generation" && admitting.getStore()) || admission;
      if (settled !== admission) settled.running++;
      return {
        run: (start) => admitting.run(admission, start),
        end: ({ summary }) => {
          // A reader replays what its generation reported: only generations spend tokens. A stream cut short
          // reports no usage, and its text events stand in for its tokens.
          if (kind === "generation") settled.spent = (settled.spent ?? 0) + (summary.usage?.outputTokens ?? summary.tokens);
          for (const each of new Set([admission, settled])) if (--each.running === 0) each.lease?.release(each.spent);
        },
      };
    },
    close: () => store.close(),
  };
}
