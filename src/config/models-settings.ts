import { checkedApiKey } from "./checked-api-key.ts";
import { checkedBaseUrl } from "./checked-base-url.ts";
import { ConfigError } from "./config-error.ts";
import { envNumber } from "./env-number.ts";
import { openAIApis, readModelsFile, type ProviderConfig } from "./models-file.ts";

type Env = Record<string, string | undefined>;

/** One upstream with what the environment adds to it: its key, and for the local demo model its pace. */
export interface ProviderSettings extends ProviderConfig {
  /** The key, from the variable it is read from; none for a server of one's own that needs none. */
  apiKey?: string;
  /** The local demo model's tokens per second (`TOKENWIRE_LOCAL_TOKENS_PER_SECOND`). */
  tokensPerSecond?: number;
}

/** The models the environment configures, read by {@link modelsSettingsFromEnv}. */
export interface ModelsSettings {
  /** Every upstream, in the order configured, its base URL and key checked. */
  providers: ProviderSettings[];
  /** The model a request that names none gets. */
  defaultModel: string;
  /** Whether a name no provider lists goes to the first provider (`TOKENWIRE_MODELS=*`), rather than being `not_found`. */
  anyModel: boolean;
}

/** The name the local demo model answers to. */
export const localModelName = "local";

/**
 * Reads the models from the environment. `TOKENWIRE_MODELS_FILE` names a JSON
 * file of providers and the models each serves. Without it, the short form:
 * `OPENAI_API_KEY` or `OPENAI_BASE_URL` selects OpenAI or a compatible server,
 * and with neither, the local demo model; `TOKENWIRE_MODELS` lists the names
 * a caller may ask for (`*` for any). A value no request could use is a {@link ConfigError}.
 */
export function modelsSettingsFromEnv(env: Env): ModelsSettings {
  if (env.TOKENWIRE_MODELS_FILE) return modelsFromFile(env.TOKENWIRE_MODELS_FILE, env);
  const allowed = parseAllowed(env.TOKENWIRE_MODELS);
  const anyModel = allowed === "any";
  const models = (defaultModel: string) => (anyModel ? [] : [...(allowed ?? [defaultModel])]);
  if (!env.OPENAI_API_KEY && !env.OPENAI_BASE_URL) {
    const local = { name: "local", type: "local" as const, models: models(localModelName), tokensPerSecond: localPace(env) };
    return { providers: [local], defaultModel: localModelName, anyModel };
  }
  const defaultModel = env.OPENAI_MODEL || "gpt-4o-mini";
  const openai: ProviderSettings = {
    name: "openai",
    type: "openai",
    models: models(defaultModel),
    apiKey: checkedApiKey(env.OPENAI_API_KEY, "OPENAI_API_KEY"),
    baseUrl: checkedBaseUrl(env.OPENAI_BASE_URL, { url: "OPENAI_BASE_URL", key: "OPENAI_API_KEY" }),
    maxRetries: envNumber(env, "OPENAI_MAX_RETRIES", { fallback: 2 }),
    ...(openAIApiOf(env.OPENAI_API) && { api: openAIApiOf(env.OPENAI_API) }),
  };
  return { providers: [openai], defaultModel, anyModel };
}

// The short form's variables describe one upstream; beside a models file they would be a second, silent truth.
const replacedByFile = ["OPENAI_BASE_URL", "OPENAI_MODEL", "OPENAI_API", "TOKENWIRE_MODELS"];

function modelsFromFile(path: string, env: Env): ModelsSettings {
  const conflicting = replacedByFile.filter((name) => env[name]);
  if (conflicting.length > 0) {
    throw new ConfigError(`TOKENWIRE_MODELS_FILE replaces ${conflicting.join(" and ")}: unset ${conflicting.length > 1 ? "them" : "it"} and describe that upstream in the file`);
  }
  const { providers, defaultModel } = readModelsFile(path);
  return { providers: providers.map((provider) => withEnvironment(provider, env)), defaultModel, anyModel: false };
}

// A provider's key comes from the variable the file names, checked here with the provider's name in the message.
function withEnvironment(provider: ProviderConfig, env: Env): ProviderSettings {
  checkedBaseUrl(provider.baseUrl, { url: `the baseUrl of provider "${provider.name}"`, key: provider.apiKeyEnv ?? "the variable its apiKeyEnv names" });
  if (provider.type === "local") return { ...provider, tokensPerSecond: localPace(env) };
  const variable = provider.apiKeyEnv ?? (provider.baseUrl ? undefined : provider.type === "anthropic" ? "ANTHROPIC_API_KEY" : "OPENAI_API_KEY");
  if (variable === undefined) return provider;
  const key = env[variable];
  if (!key) throw new ConfigError(`provider "${provider.name}" takes its key from ${variable}, which is not set: set it, or name another variable in apiKeyEnv`);
  return { ...provider, apiKey: checkedApiKey(key, variable) };
}

// The value is not quoted back: a key set here by mistake would reach the log.
function openAIApiOf(value: string | undefined): ProviderConfig["api"] {
  const api = value?.trim();
  if (!api) return undefined;
  if (openAIApis.includes(api as never)) return api as ProviderConfig["api"];
  throw new ConfigError(`OPENAI_API must be ${openAIApis.join(" or ")}: chat for chat completions, which every OpenAI-compatible server speaks, responses for OpenAI's Responses API`);
}

function localPace(env: Env): number {
  return envNumber(env, "TOKENWIRE_LOCAL_TOKENS_PER_SECOND", { fallback: 30, fractions: true });
}

function parseAllowed(value: string | undefined): readonly string[] | "any" | undefined {
  if (!value?.trim()) return undefined;
  if (value.trim() === "*") return "any";
  return value.split(",").map((name) => name.trim()).filter(Boolean);
}
