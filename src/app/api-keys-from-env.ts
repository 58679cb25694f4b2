import type { Logger } from "../core/logger.ts";
import { apiKeysFileFromEnv } from "../config/api-keys-file.ts";
import { ConfigError } from "../config/config-error.ts";
import { apiKeyAuthenticator, type ApiKeyAuthenticator } from "../server/api-keys.ts";
import type { LimitStore } from "../server/caller-limits.ts";
import type { RedisConfig } from "../config/redis-config.ts";

/**
 * The API keys `TOKENWIRE_API_KEYS_FILE` names, with their limits held in
 * Redis when `redis` is set and in this process otherwise; undefined when
 * the variable is unset. A file or a Redis it cannot use is a {@link ConfigError}.
 */
export async function apiKeysFromEnv(env: Record<string, string | undefined>, options: { redis: RedisConfig | undefined; logger: Logger }): Promise<ApiKeyAuthenticator | undefined> {
  const file = apiKeysFileFromEnv(env);
  if (!file) return undefined;
  const { path, callers } = file;
  const limits = options.redis === undefined ? undefined : await redisLimits(options.redis, options.logger);
  const where = limits ? "shared through Redis" : "held by this process";
  options.logger.info({ apiKeys: path, callers: callers.length, limits: limits ? "redis" : "process" }, `API keys: ${callers.length} callers from ${path}, limits ${where}`);
  return apiKeyAuthenticator(callers, { limits });
}

async function redisLimits({ location, answerMs, setting: { name } }: RedisConfig, logger: Logger): Promise<LimitStore> {
  // Loaded only with Redis set: the redis package is an optional peer dependency.
  const { createRedisLimits } = await import("./redis-limits.ts").catch((cause: unknown) => {
    throw new ConfigError(`${name} is set but the redis package is not installed: npm install redis, or unset ${name}`, { cause });
  });
  try {
    return await createRedisLimits({ ...location, answerMs, logger });
  } catch (cause) {
    const why = cause instanceof Error ? cause.message : String(cause);
    throw new ConfigError(`${name} cannot be reached for callers' limits (${why}): start Redis there, or unset ${name} to hold limits in this process`, { cause });
  }
}
