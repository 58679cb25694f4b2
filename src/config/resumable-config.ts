import { ConfigError } from "./config-error.ts";
import { envNumber } from "./env-number.ts";
import { redisConfigFromEnv, type RedisConfig } from "./redis-config.ts";

/** How `npm start` keeps resumable streams, read by {@link resumableConfigFromEnv}. */
export interface ResumableConfig {
  /** `REDIS_URL` (or a cluster, or Sentinels): a log that every replica sharing the Redis serves; unset, the in-memory log of this process. */
  redis: RedisConfig | undefined;
  /** `TOKENWIRE_RESUME_GRACE_MS`: how long a stream nobody reads goes on. */
  graceMs: number;
  /** `TOKENWIRE_STREAM_RETENTION_MS`: how long an ended stream stays readable. */
  retentionMs: number;
  /** `TOKENWIRE_STREAM_RETAINED_BYTES`: the in-memory log's bound on what ended streams hold. */
  maxRetainedBytes: number;
  /** `TOKENWIRE_RESUMABLE=always`: every StreamTokens call is resumable. */
  always: boolean;
}

/** Reads `REDIS_URL` ({@link redisConfigFromEnv}), `TOKENWIRE_RESUMABLE`, `TOKENWIRE_RESUME_GRACE_MS`, `TOKENWIRE_STREAM_RETENTION_MS` and `TOKENWIRE_STREAM_RETAINED_BYTES`; a value it cannot use is a {@link ConfigError}. */
export function resumableConfigFromEnv(env: Record<string, string | undefined>): ResumableConfig {
  const mode = env.TOKENWIRE_RESUMABLE?.trim() || "request";
  if (mode !== "request" && mode !== "always") {
    throw new ConfigError(`TOKENWIRE_RESUMABLE must be "always" (every StreamTokens call is resumable) or "request" (the calls that ask), not "${mode}"`);
  }
  return {
    redis: redisConfigFromEnv(env),
    graceMs: envNumber(env, "TOKENWIRE_RESUME_GRACE_MS", { fallback: 30_000 }),
    retentionMs: envNumber(env, "TOKENWIRE_STREAM_RETENTION_MS", { fallback: 10 * 60_000, min: 1 }),
    maxRetainedBytes: envNumber(env, "TOKENWIRE_STREAM_RETAINED_BYTES", { fallback: 128 * 1024 * 1024 }),
    always: mode === "always",
  };
}
