import { ConfigError } from "./config-error.ts";
import { readSettingFile } from "./read-setting-file.ts";
import { unknownField } from "./unknown-field.ts";

/** The kinds of upstream a models file can name. */
export const providerTypes = ["openai", "anthropic", "local"] as const;

/** The APIs an `openai` provider can be called through. */
export const openAIApis = ["chat", "responses"] as const;

/** One upstream of a models file and the model names it serves. */
export interface ProviderConfig {
  /** A name for logs; default the type. */
  name: string;
  /** `openai` for OpenAI or any OpenAI-compatible server, `anthropic` for Anthropic's Messages API, `local` for the demo model. */
  type: (typeof providerTypes)[number];
  /** The server's base URL: `http://127.0.0.1:11434/v1` for an OpenAI-compatible one; unset for OpenAI's or Anthropic's own. */
  baseUrl?: string;
  /** The environment variable that holds the key, never the key itself; default `OPENAI_API_KEY` for OpenAI, `ANTHROPIC_API_KEY` for Anthropic, none for a base URL of your own. */
  apiKeyEnv?: string;
  /** The names callers may ask for, each served by this provider alone. */
  models: string[];
  /** Retries before the first byte of a reply; default 2. */
  maxRetries?: number;
  /** Milliseconds to wait for the reply's headers; default 60,000. */
  timeoutMs?: number;
  /** Anthropic only: extended thinking with this budget of tokens, streamed as reasoning. */
  thinkingBudgetTokens?: number;
  /** OpenAI only: `chat` (default) for chat completions, `responses` for OpenAI's Responses API and its reasoning summaries. */
  api?: (typeof openAIApis)[number];
}

// Every field a models file may hold: any other is a misspelling, refused rather than ignored (a `baseURL` left
// unread would send a local server's traffic to OpenAI).
const fileFields = ["defaultModel", "providers"];
const providerFields = ["name", "type", "baseUrl", "apiKeyEnv", "models", "maxRetries", "timeoutMs", "thinkingBudgetTokens", "api"];

/** What a models file holds: the providers, and the model a request that names none gets. */
export interface ModelsConfig {
  providers: ProviderConfig[];
  /** Default: the first provider's first model. */
  defaultModel: string;
}

/**
 * Reads and checks the JSON file `TOKENWIRE_MODELS_FILE` names; anything the
 * server cannot run with is a {@link ConfigError} that names the file and the field.
 */
export function readModelsFile(path: string): ModelsConfig {
  const fail = (problem: string) => new ConfigError(`TOKENWIRE_MODELS_FILE=${path}: ${problem}`);
  const file = parseJson(readSettingFile({ setting: "TOKENWIRE_MODELS_FILE", path, kind: "a JSON file" }).toString("utf8"), fail);
  const shape = 'it must hold {"providers":[…]} with one provider or more';
  if (!isRecord(file)) throw fail(shape);
  const unknown = unknownField(file, fileFields);
  if (unknown) throw fail(`it ${unknown}`);
  if (!Array.isArray(file.providers) || file.providers.length === 0) throw fail(shape);
  const providers = file.providers.map((entry: unknown, i) => providerOf(entry, (problem) => fail(`providers[${i}]${problem}`)));
  const served = new Map<string, string>();
  const names = new Set<string>();
  for (const provider of providers) {
    if (names.has(provider.name)) throw fail(`two providers are named "${provider.name}": give each its own name`);
    names.add(provider.name);
    for (const model of provider.models) {
      if (served.has(model)) throw fail(`model "${model}" is listed by both "${served.get(model)}" and "${provider.name}": list it once`);
      served.set(model, provider.name);
    }
  }
  const defaultModel = file.defaultModel ?? providers[0]!.models[0]!;
  if (typeof defaultModel !== "string" || !served.has(defaultModel)) throw fail(`defaultModel "${String(defaultModel)}" is not one of the providers' models`);
  return { providers, defaultModel };
}

function providerOf(entry: unknown, fail: (problem: string) => ConfigError): ProviderConfig {
  if (!isRecord(entry)) throw fail(" must be an object");
  const unknown = unknownField(entry, providerFields);
  if (unknown) throw fail(` ${unknown}`);
  const type = entry.type;
  if (!providerTypes.includes(type as ProviderConfig["type"])) throw fail(`.type must be ${providerTypes.map((t) => `"${t}"`).join(", ")}, not ${JSON.stringify(type)}`);
  const models = entry.models;
  if (!Array.isArray(models) || models.length === 0 || !models.every((m) => typeof m === "string" && m.trim() !== "")) throw fail('.models must list the model names it serves, such as ["gpt-4o-mini"]');
  const read = (field: string, rule: { valid: (value: unknown) => boolean; expected: string }): unknown => {
    if (entry[field] === undefined || rule.valid(entry[field])) return entry[field];
    throw fail(`.${field} must be ${rule.expected}`);
  };
  const text = (field: string) => read(field, { valid: (v) => typeof v === "string" && v.trim() !== "", expected: "a non-empty string" }) as string | undefined;
  const count = (field: string) => read(field, { valid: (v) => Number.isInteger(v) && (v as number) >= 0, expected: "a whole number of 0 or more" }) as number | undefined;
  const baseUrl = text("baseUrl");
  const apiKeyEnv = text("apiKeyEnv");
  if (apiKeyEnv !== undefined && !/^[A-Za-z_][A-Za-z0-9_]*$/.test(apiKeyEnv)) throw fail(".apiKeyEnv must name an environment variable (the key itself stays in the environment)");
  const thinkingBudgetTokens = count("thinkingBudgetTokens");
  if (thinkingBudgetTokens !== undefined && type !== "anthropic") throw fail(".thinkingBudgetTokens is for anthropic providers only");
  const api = read("api", { valid: (v) => openAIApis.includes(v as never), expected: openAIApis.map((a) => `"${a}"`).join(" or ") }) as ProviderConfig["api"];
  if (api !== undefined && type !== "openai") throw fail(".api is for openai providers only");
  const settings = { baseUrl, apiKeyEnv, maxRetries: count("maxRetries"), timeoutMs: count("timeoutMs"), thinkingBudgetTokens, api };
  const defined = Object.fromEntries(Object.entries(settings).filter(([, value]) => value !== undefined));
  return { name: text("name") ?? (type as string), type: type as ProviderConfig["type"], models: models as string[], ...defined };
}

function parseJson(text: string, fail: (problem: string) => ConfigError): unknown {
  try {
    return JSON.parse(text);
  } catch (cause) {
    throw fail(`is not JSON (${(cause as Error).message})`);
  }
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === "object" && value !== null && !Array.isArray(value);
}
