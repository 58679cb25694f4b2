import type { CallerLimits } from "../config/api-keys-file.ts";
import type { Lease } from "../core/admission.ts";
import { errors } from "../core/errors.ts";

/** Options of {@link LimitStore.admit}. */
export interface AdmitOptions {
  /** The most output tokens the stream may generate (the request's max tokens); unset, any number. */
  reserveTokens?: number;
}

/** A stream's hold on its caller's limits, given back once when the stream ends, with the output tokens it generated. */
export type { Lease } from "../core/admission.ts";

/**
 * Where callers' limits are counted: this process, or Redis for every replica.
 *
 * Output tokens are reserved when a stream is admitted and settled when it
 * ends, so that streams running side by side cannot spend the same tokens. A
 * stream reserves its `reserveTokens` when the bucket holds them; one that
 * does not fit (no max tokens, or more than the bucket holds) takes the rest
 * of the bucket, and only one such stream of a caller runs at a time. A
 * budget is then overshot by at most what that one stream generates beyond
 * the rest of the bucket it took, and the debt it leaves is at most a
 * minute's allowance: a caller over its limit waits at most about a minute.
 */
export interface LimitStore {
  /** Admits one stream of `caller`; over a limit, throws `resource_exhausted` with when to retry. */
  admit(caller: string, limits: CallerLimits, options?: AdmitOptions): Promise<Lease>;
  close(): Promise<void>;
}

/** A limit a caller is over, and how long until it may try again. */
export interface Refusal {
  limit: "streams" | "requests" | "tokens";
  retryAfterMs: number;
}

// How soon a caller at its concurrent-stream limit, or waiting for its stream that holds the rest of its token
// bucket, should try again: a stream's end cannot be foreseen, and a second keeps retries cheap.
export const streamsRetryMs = 1000;

/** The error for a refusal, in words that name the limit. */
export function overLimit(refusal: Refusal, limits: CallerLimits): Error {
  const words = {
    streams: `${limits.maxConcurrentStreams} concurrent streams`,
    requests: `${limits.requestsPerMinute} requests a minute`,
    tokens: `${limits.outputTokensPerMinute} output tokens a minute`,
  };
  return errors.callerOverLimit(words[refusal.limit], refusal.retryAfterMs);
}

/** A bucket that holds up to a minute's allowance and refills evenly over the minute; it may owe up to a minute's. */
interface Bucket {
  level: number;
  at: number;
  /** Set while a stream that did not fit holds the rest of the bucket. */
  short?: symbol;
}

/** Milliseconds until a bucket of `perMinute` at `level` holds `units`. */
export const untilLevel = (level: number, units: number, perMinute: number): number => Math.ceil(((units - level) * 60_000) / perMinute);

/** Counts callers' limits in this process: concurrent streams, and token buckets for requests and output tokens. */
export function createLocalLimits(now: () => number = Date.now): LimitStore {
  const open = new Map<string, number>();
  const requests = new Map<string, Bucket>();
  const tokens = new Map<string, Bucket>();
  const refill = (buckets: Map<string, Bucket>, caller: string, perMinute: number): Bucket => {
    const bucket = buckets.get(caller) ?? { level: perMinute, at: now() };
    const at = now();
    const refilled = { ...bucket, level: Math.min(perMinute, bucket.level + ((at - bucket.at) * perMinute) / 60_000), at };
    buckets.set(caller, refilled);
    return refilled;
  };

  // The stream's reservation, or why it is refused.
  function admission(caller: string, limits: CallerLimits, reserveTokens = Infinity): Refusal | { reserve: number; short: boolean } {
    const { maxConcurrentStreams: streams, requestsPerMinute: rpm, outputTokensPerMinute: tpm } = limits;
    if (streams !== undefined && (open.get(caller) ?? 0) >= streams) return { limit: "streams", retryAfterMs: streamsRetryMs };
    const request = rpm === undefined ? undefined : refill(requests, caller, rpm);
    if (request && rpm && request.level < 1) return { limit: "requests", retryAfterMs: untilLevel(request.level, 1, rpm) };
    let taken = { reserve: 0, short: false };
    if (tpm !== undefined) {
      const output = refill(tokens, caller, tpm);
      if (output.level >= reserveTokens) taken = { reserve: reserveTokens, short: false };
      else if (output.level >= 1 && !output.short) taken = { reserve: output.level, short: true };
      else return { limit: "tokens", retryAfterMs: output.level < 1 ? untilLevel(output.level, 1, tpm) : streamsRetryMs };
      output.level -= taken.reserve;
    }
    if (request) request.level -= 1;
    return taken;
  }

  return {
    async admit(caller, limits, options = {}) {
      const taken = admission(caller, limits, options.reserveTokens);
      if ("limit" in taken) throw overLimit(taken, limits);
      const { maxConcurrentStreams: streams, outputTokensPerMinute: tpm } = limits;
      const short = taken.short ? Symbol(caller) : undefined;
      if (short) tokens.get(caller)!.short = short;
      if (streams !== undefined) open.set(caller, (open.get(caller) ?? 0) + 1);
      let held = true;
      return {
        release(spentTokens = 0) {
          if (!held) return;
          held = false;
          if (streams !== undefined) open.set(caller, open.get(caller)! - 1);
          if (tpm === undefined) return;
          const output = refill(tokens, caller, tpm);
          output.level = Math.max(-tpm, Math.min(tpm, output.level + taken.reserve - spentTokens));
          if (output.short === short) output.short = undefined;
        },
      };
    },
    async close() {},
  };
}
