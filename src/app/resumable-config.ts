import { createMemoryStreamLog } from "../core/memory-stream-log.ts";
import type { Logger } from "../core/logger.ts";
import type { ResumableOptions } from "../core/tokenwire-options.ts";
import { ConfigError, envNumber } from "../models/env-settings.ts";
import { redisConfigFromEnv, type RedisConfig } from "./redis-config.ts";

/** How `npm start` keeps resumable streams, read by {@link resumableConfigFromEnv}. */
export interface ResumableConfig {
  /** `REDIS_URL` (or a cluster, or Sentinels): a log that every replica sharing the Redis serves; unset, the in-memory log of this process. */
  redis: RedisConfig | undefined;
  /** `TOKENWIRE_RESUME_GRACE_MS`: how long a stream nobody reads goes on. */
  graceMs: number;
  /** `TOKENWIRE_STREAM_RETENTION_MS`: how long an ended stream stays readable. */
  retentionMs: number;
  /** `TOKENWIRE_RESUMABLE=always`: every StreamTokens call is resumable. */
  always: boolean;
}

/** Reads `REDIS_URL` ({@link redisConfigFromEnv}), `TOKENWIRE_RESUMABLE`, `TOKENWIRE_RESUME_GRACE_MS` and `TOKENWIRE_STREAM_RETENTION_MS`; a value it cannot use is a {@link ConfigError}. */
export function resumableConfigFromEnv(env: Record<string, string | undefined>): ResumableConfig {
  const mode = env.TOKENWIRE_RESUMABLE?.trim() || "request";
  if (mode !== "request" && mode !== "always") {
    throw new ConfigError(`TOKENWIRE_RESUMABLE must be "always" (every StreamTokens call is resumable) or "request" (the calls that ask), not "${mode}"`);
  }
  return {
    redis: redisConfigFromEnv(env),
    graceMs: envNumber(env, "TOKENWIRE_RESUME_GRACE_MS", { fallback: 30_000 }),
    retentionMs: envNumber(env, "TOKENWIRE_STREAM_RETENTION_MS", { fallback: 10 * 60_000, min: 1 }),
    always: mode === "always",
  };
}

/**
 * The core's `streams` option for this configuration: the Redis log once it
 * is connected, or the in-memory log. A Redis that cannot be reached is a
 * {@link ConfigError} that says where and why.
 */
export async function resumableOptions(config: ResumableConfig, logger: Logger): Promise<ResumableOptions & { log: NonNullable<ResumableOptions["log"]> }> {
  const { redis, graceMs, retentionMs, always } = config;
  if (redis === undefined) return { log: createMemoryStreamLog({ retentionMs }), graceMs, always };
  const { name, shown } = redis.setting;
  // Loaded only with Redis set: the redis package is an optional peer dependency.
  const { createRedisStreamLog } = await import("../adapters/redis/index.ts").catch((cause: unknown) => {
    throw new ConfigError(`${name} is set but the redis package is not installed: npm install redis, or unset ${name}`, { cause });
  });
  try {
    const log = await createRedisStreamLog({ ...redis.location, answerMs: redis.answerMs, retentionMs, logger });
    logger.info({ redis: shown }, `resumable streams are kept in Redis at ${shown}`);
    return { log, graceMs, always };
  } catch (cause) {
    const why = cause instanceof Error ? cause.message : String(cause);
    throw new ConfigError(`${name}=${shown} cannot be reached (${why}): start Redis there, or unset ${name} to keep resumable streams in this process`, { cause });
  }
}
