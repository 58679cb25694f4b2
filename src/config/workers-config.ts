import { availableParallelism } from "node:os";
import { ConfigError } from "./config-error.ts";
import { envNumber } from "./env-number.ts";
import { redisConfigFromEnv } from "./redis-config.ts";

/** Marks the processes `npm start` forks as its workers, as against any other cluster's workers (pm2's). */
export const workerMark = "TOKENWIRE_CLUSTER_WORKER";

/**
 * Reads `TOKENWIRE_WORKERS`: how many server processes share the port.
 * Unset is 1, `auto` one per core; anything else must be a whole number of 1
 * or more. More than one needs `REDIS_URL`, or it is a {@link ConfigError}.
 */
export function workersFromEnv(env: Record<string, string | undefined>): number {
  const value = env.TOKENWIRE_WORKERS?.trim();
  const cores = availableParallelism();
  const workers = value === "auto" ? cores : envNumber(env, "TOKENWIRE_WORKERS", { fallback: 1, min: 1, expected: `"auto" (one per core, ${cores} here) or a whole number of 1 or more` });
  // Each worker's in-memory stream log and limits are its own: a resume that reaches another worker would find nothing.
  if (workers > 1 && redisConfigFromEnv(env) === undefined) {
    throw new ConfigError(`TOKENWIRE_WORKERS=${value} needs REDIS_URL, so that a stream started on one worker can be resumed on another and callers' limits are shared: set REDIS_URL to a Redis the workers share, or TOKENWIRE_WORKERS=1`);
  }
  return workers;
}
