import { defaultMaxConnections, defaultTimeLimits, type ResolvedConnectionLimits } from "../adapters/node/connection-limits.ts";
import { longestTimerMs } from "../core/deadline.ts";
import { envNumber } from "../models/env-settings.ts";

/**
 * Reads `TOKENWIRE_HEADERS_TIMEOUT_MS`, `TOKENWIRE_REQUEST_TIMEOUT_MS`, `TOKENWIRE_IDLE_TIMEOUT_MS` and
 * `TOKENWIRE_MAX_CONNECTIONS`; a time beyond what a Node timer holds, or a
 * bound below 1, is a `ConfigError`.
 */
export function connectionLimitsFromEnv(env: Record<string, string | undefined>): ResolvedConnectionLimits {
  const expected = `a whole number of milliseconds from 0 (no limit) to ${longestTimerMs}`;
  const time = (name: string, fallback: number) => envNumber(env, name, { fallback, max: longestTimerMs, expected });
  return {
    headersTimeoutMs: time("TOKENWIRE_HEADERS_TIMEOUT_MS", defaultTimeLimits.headersTimeoutMs),
    requestTimeoutMs: time("TOKENWIRE_REQUEST_TIMEOUT_MS", defaultTimeLimits.requestTimeoutMs),
    idleTimeoutMs: time("TOKENWIRE_IDLE_TIMEOUT_MS", defaultTimeLimits.idleTimeoutMs),
    maxConnections: envNumber(env, "TOKENWIRE_MAX_CONNECTIONS", { fallback: defaultMaxConnections(), min: 1 }),
  };
}
