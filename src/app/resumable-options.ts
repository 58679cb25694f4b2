import { createMemoryStreamLog } from "../core/memory-stream-log.ts";
import type { Logger } from "../core/logger.ts";
import type { ResumableOptions } from "../core/tokenwire-options.ts";
import { ConfigError } from "../config/config-error.ts";
import type { ResumableConfig } from "../config/resumable-config.ts";

/**
 * The core's `streams` option for this configuration: the Redis log once it
 * is connected, or the in-memory log. A Redis that cannot be reached is a
 * {@link ConfigError} that says where and why.
 */
export async function resumableOptions(config: ResumableConfig, logger: Logger): Promise<ResumableOptions & { log: NonNullable<ResumableOptions["log"]> }> {
  const { redis, graceMs, retentionMs, maxRetainedBytes, always } = config;
  if (redis === undefined) return { log: createMemoryStreamLog({ retentionMs, maxRetainedBytes }), graceMs, always };
  const { name, shown } = redis.setting;
  // Loaded only with Redis set: the redis package is an optional peer dependency.
  const { createRedisStreamLog } = await import("../adapters/redis/index.ts").catch((cause: unknown) => {
    throw new ConfigError(`${name} is set but the redis package is not installed: npm install redis, or unset ${name}`, { cause });
  });
  try {
    const log = await createRedisStreamLog({ ...redis.location, answerMs: redis.answerMs, failoverMs: redis.failoverMs, retentionMs, logger });
    logger.info({ redis: shown }, `resumable streams are kept in Redis at ${shown}`);
    return { log, graceMs, always };
  } catch (cause) {
    const why = cause instanceof Error ? cause.message : String(cause);
    throw new ConfigError(`${name}=${shown} cannot be reached (${why}): start Redis there, or unset ${name} to keep resumable streams in this process`, { cause });
  }
}
