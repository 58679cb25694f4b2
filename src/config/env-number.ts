import { ConfigError } from "./config-error.ts";

/** The values {@link envNumber} accepts, and what it returns for an unset variable. */
export interface EnvNumberRule {
  fallback: number;
  /** Default 0. */
  min?: number;
  max?: number;
  /** Accept fractions too; default whole numbers only. */
  fractions?: boolean;
  /** How the message describes the accepted values, when the bounds alone would not say it well. */
  expected?: string;
}

/** Reads a number from the environment; an unset or empty variable is `rule.fallback`, anything out of rule a {@link ConfigError}. */
export function envNumber(env: Record<string, string | undefined>, name: string, rule: EnvNumberRule): number {
  const value = env[name];
  if (value === undefined || value.trim() === "") return rule.fallback;
  const { min = 0, max = Infinity, fractions = false } = rule;
  const parsed = Number(value);
  if (Number.isFinite(parsed) && (fractions || Number.isInteger(parsed)) && parsed >= min && parsed <= max) return parsed;
  const kind = fractions ? "a number" : "a whole number";
  const expected = rule.expected ?? (max === Infinity ? `${kind} of ${min} or more` : `${kind} from ${min} to ${max}`);
  throw new ConfigError(`${name} must be ${expected}, not "${value}"`);
}
