import { ConfigError, envNumber } from "../models/env-settings.ts";
import { defaultAnswerMs } from "../adapters/redis/redis-health.ts";

/** The Redis `npm start` shares with other replicas, read by {@link redisConfigFromEnv}. */
export interface RedisConfig {
  /** `REDIS_URL`. */
  url: string;
  /** `TOKENWIRE_REDIS_ANSWER_MS`: how long Redis has to answer before resumable streams fail and limits are held by each replica. */
  answerMs: number;
}

/** Reads `REDIS_URL` and `TOKENWIRE_REDIS_ANSWER_MS`; undefined without a Redis, a {@link ConfigError} for a value it cannot use. */
export function redisConfigFromEnv(env: Record<string, string | undefined>): RedisConfig | undefined {
  const url = env.REDIS_URL?.trim() || undefined;
  if (url === undefined) return undefined;
  if (!/^rediss?:\/\/[^/]/.test(url)) throw new ConfigError(`REDIS_URL must be a redis://host:port or rediss://host:port URL, not "${withoutPassword(url)}"`);
  return { url, answerMs: envNumber(env, "TOKENWIRE_REDIS_ANSWER_MS", { fallback: defaultAnswerMs, min: 1 }) };
}

/** A Redis URL as logs and messages show it: never with its password. */
export function withoutPassword(url: string): string {
  try {
    const parsed = new URL(url);
    if (parsed.password) parsed.password = "***";
    return parsed.toString().replace(/\/$/, "");
  } catch {
    return url.replace(/\/\/[^@/]*@/, "//***@");
  }
}
