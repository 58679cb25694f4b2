import { longestTimerMs } from "../core/deadline.ts";
import { envNumber, type EnvNumberRule } from "./env-number.ts";

/** The connection limits the environment sets, read by {@link connectionLimitsFromEnv}; one left unset is the server's default. */
export interface ConnectionConfig {
  headersTimeoutMs?: number;
  requestTimeoutMs?: number;
  idleTimeoutMs?: number;
  maxConnections?: number;
}

/**
 * Reads `TOKENWIRE_HEADERS_TIMEOUT_MS`, `TOKENWIRE_REQUEST_TIMEOUT_MS`, `TOKENWIRE_IDLE_TIMEOUT_MS` and
 * `TOKENWIRE_MAX_CONNECTIONS`; a time beyond what a Node timer holds, or a
 * bound below 1, is a `ConfigError`.
 */
export function connectionLimitsFromEnv(env: Record<string, string | undefined>): ConnectionConfig {
  // The defaults are the one-port server's own, which fills in what is left unset.
  const read = (name: string, rule: Omit<EnvNumberRule, "fallback">) => (env[name]?.trim() ? envNumber(env, name, { ...rule, fallback: 0 }) : undefined);
  const time = { max: longestTimerMs, expected: `a whole number of milliseconds from 0 (no limit) to ${longestTimerMs}` };
  return {
    headersTimeoutMs: read("TOKENWIRE_HEADERS_TIMEOUT_MS", time),
    requestTimeoutMs: read("TOKENWIRE_REQUEST_TIMEOUT_MS", time),
    idleTimeoutMs: read("TOKENWIRE_IDLE_TIMEOUT_MS", time),
    maxConnections: read("TOKENWIRE_MAX_CONNECTIONS", { min: 1 }),
  };
}
