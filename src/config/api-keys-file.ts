import { ConfigError } from "./config-error.ts";
import { readSettingFile } from "./read-setting-file.ts";
import { unknownField } from "./unknown-field.ts";

/** A caller's limits, as an API keys file sets them; a limit left out is no limit. */
export interface CallerLimits {
  /** Streams open at once. */
  maxConcurrentStreams?: number;
  /** Streams started a minute: a bucket of this many that refills over a minute. */
  requestsPerMinute?: number;
  /** Output tokens a minute, counted from the usage streams report when they end. */
  outputTokensPerMinute?: number;
}

/** One caller of an API keys file: its name, the SHA-256 of its key, and its limits. */
export interface ApiKeyCaller extends CallerLimits {
  /** Who the caller is in logs, metrics and stream ownership; never the key. */
  name: string;
  /** The key's SHA-256 in hex: the server never holds the key itself. */
  keySha256: string;
}

const limitNames = ["maxConcurrentStreams", "requestsPerMinute", "outputTokensPerMinute"] as const;
const fields = ["name", "keySha256", ...limitNames];

/**
 * Reads the API keys file `{"callers":[{"name","keySha256",…limits}]}`. A file
 * it cannot read or use is a {@link ConfigError} that names the file and what to fix.
 */
export function readApiKeysFile(path: string, setting = "TOKENWIRE_API_KEYS_FILE"): ApiKeyCaller[] {
  const text = readSettingFile({ setting, path, kind: "a JSON file of callers" }).toString("utf8");
  return parseApiKeys(text, `${setting}=${path}`);
}

/** The callers of the keys file `TOKENWIRE_API_KEYS_FILE` names, with its path; undefined when the variable is unset. */
export function apiKeysFileFromEnv(env: Record<string, string | undefined>): { path: string; callers: ApiKeyCaller[] } | undefined {
  const path = env.TOKENWIRE_API_KEYS_FILE?.trim();
  return path ? { path, callers: readApiKeysFile(path) } : undefined;
}

/** Checks the callers of an API keys file's text; `source` names the file in the messages. */
export function parseApiKeys(text: string, source: string): ApiKeyCaller[] {
  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
  } catch {
    throw new ConfigError(`${source} is not JSON: write {"callers":[{"name":"…","keySha256":"…"}]}`);
  }
  const callers = (parsed as { callers?: unknown } | null)?.callers;
  if (!Array.isArray(callers) || callers.length === 0) throw new ConfigError(`${source} has no "callers" list: write {"callers":[{"name":"…","keySha256":"…"}]}`);
  const checked = callers.map((caller: unknown, index) => checkCaller(caller, `${source}: callers[${index}]`));
  for (const key of ["name", "keySha256"] as const) {
    const seen = new Set<string>();
    for (const caller of checked) {
      if (seen.has(caller[key])) throw new ConfigError(`${source}: two callers have the ${key} ${key === "name" ? caller.name : "of one key"}: give each caller its own`);
      seen.add(caller[key]);
    }
  }
  return checked;
}

function checkCaller(value: unknown, where: string): ApiKeyCaller {
  if (typeof value !== "object" || value === null || Array.isArray(value)) throw new ConfigError(`${where} must be an object with "name" and "keySha256"`);
  const caller = value as Record<string, unknown>;
  const unknown = unknownField(caller, fields);
  if (unknown) throw new ConfigError(`${where} ${unknown}`);
  // Names are labels in metrics and keys in Redis: printable, short, no braces.
  if (typeof caller.name !== "string" || !/^[\w.@-]{1,64}$/.test(caller.name)) {
    throw new ConfigError(`${where}.name must be 1 to 64 letters, digits, ".", "_", "-" or "@"`);
  }
  if (typeof caller.keySha256 !== "string" || !/^[0-9a-fA-F]{64}$/.test(caller.keySha256)) {
    throw new ConfigError(`${where}.keySha256 must be the key's SHA-256 as 64 hex digits (printf %s "$KEY" | sha256sum)`);
  }
  const checked: ApiKeyCaller = { name: caller.name, keySha256: caller.keySha256.toLowerCase() };
  for (const limit of limitNames) {
    const number = caller[limit];
    if (number === undefined) continue;
    if (typeof number !== "number" || !Number.isInteger(number) || number < 1) throw new ConfigError(`${where}.${limit} must be a whole number of 1 or more, or left out for no limit`);
    checked[limit] = number;
  }
  return checked;
}
