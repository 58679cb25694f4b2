import type { CallerLimits } from "../config/api-keys-file.ts";
import { errors } from "../core/errors.ts";

/** A stream's place in its caller's concurrent streams, given back when the stream ends. */
export interface Lease {
  release(): void;
}

/** Where callers' limits are counted: this process, or Redis for every replica. */
export interface LimitStore {
  /** Admits one stream of `caller`; over a limit, throws `resource_exhausted` with when to retry. */
  admit(caller: string, limits: CallerLimits): Promise<Lease>;
  /** Counts the output tokens one of the caller's streams generated. */
  spend(caller: string, limits: CallerLimits, outputTokens: number): void;
  close(): Promise<void>;
}

/** A limit a caller is over, and how long until it may try again. */
export interface Refusal {
  limit: "streams" | "requests" | "tokens";
  retryAfterMs: number;
}

// How soon a caller at its concurrent-stream limit should try again: a stream's end cannot be foreseen, and a
// second keeps retries cheap.
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

/** A bucket that holds up to a minute's allowance and refills evenly over the minute; spending may take it below zero. */
interface Bucket {
  level: number;
  at: number;
}

/** Counts callers' limits in this process: concurrent streams, and token buckets for requests and output tokens. */
export function createLocalLimits(now: () => number = Date.now): LimitStore {
  const open = new Map<string, number>();
  const requests = new Map<string, Bucket>();
  const tokens = new Map<string, Bucket>();
  const level = (buckets: Map<string, Bucket>, caller: string, perMinute: number): Bucket => {
    const bucket = buckets.get(caller) ?? { level: perMinute, at: now() };
    const at = now();
    const refilled = { level: Math.min(perMinute, bucket.level + ((at - bucket.at) * perMinute) / 60_000), at };
    buckets.set(caller, refilled);
    return refilled;
  };
  // Time until a bucket holds one whole unit again.
  const untilOne = (bucket: Bucket, perMinute: number) => Math.ceil(((1 - bucket.level) * 60_000) / perMinute);
  const refusal = (caller: string, limits: CallerLimits): Refusal | undefined => {
    const { maxConcurrentStreams: streams, requestsPerMinute: rpm, outputTokensPerMinute: tpm } = limits;
    if (streams !== undefined && (open.get(caller) ?? 0) >= streams) return { limit: "streams", retryAfterMs: streamsRetryMs };
    const request = rpm === undefined ? undefined : level(requests, caller, rpm);
    if (request && rpm && request.level < 1) return { limit: "requests", retryAfterMs: untilOne(request, rpm) };
    const output = tpm === undefined ? undefined : level(tokens, caller, tpm);
    if (output && tpm && output.level < 1) return { limit: "tokens", retryAfterMs: untilOne(output, tpm) };
    if (request) request.level -= 1;
    return undefined;
  };
  return {
    async admit(caller, limits) {
      const refused = refusal(caller, limits);
      if (refused) throw overLimit(refused, limits);
      if (limits.maxConcurrentStreams === undefined) return { release() {} };
      open.set(caller, (open.get(caller) ?? 0) + 1);
      let held = true;
      return {
        release() {
          if (held) open.set(caller, open.get(caller)! - 1);
          held = false;
        },
      };
    },
    spend(caller, limits, outputTokens) {
      if (limits.outputTokensPerMinute !== undefined) level(tokens, caller, limits.outputTokensPerMinute).level -= outputTokens;
    },
    async close() {},
  };
}
