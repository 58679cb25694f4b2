import { createModelCatalog } from "./model-catalog.ts";
import { seedInputVariable, seedTemplate } from "./seed-template.ts";
import { LocalChatModel } from "./local-chat-model.ts";
import { openAIModelFactory } from "./openai-model.ts";
import type { ModelResolver } from "../core/model-resolver.ts";
import type { Logger } from "../core/logger.ts";
import { ConfigError, envNumber } from "./env-settings.ts";
import { checkedApiKey, checkedBaseUrl } from "./upstream-settings.ts";
import { openAIApis, readModelsFile, type ProviderConfig } from "./models-file.ts";
import { providerModelFactory, upstreamOf } from "./provider-model-factory.ts";

const templates = { seed: { template: seedTemplate, inputVariable: seedInputVariable } };

/** The name the local demo model answers to. */
export const localModelName = "local";

/** One upstream and the names it serves, for the startup line. */
export interface ProviderDescription {
  name: string;
  type: ProviderConfig["type"];
  /** Where its requests go, without credentials; none for the local demo model. */
  upstream: string | undefined;
  /** The names it serves; empty when any name passes through. */
  models: string[];
}

/** Where the models come from, read from the environment by {@link modelsFromEnv}. */
export interface ModelsDescription {
  /** The default model's provider: `local` for the built-in demo model, `openai` (OpenAI or a compatible server) or `anthropic`. */
  provider: ProviderConfig["type"];
  defaultModel: string;
  /** The default model's upstream, without credentials, for the startup line. */
  upstream: string | undefined;
  /** Every upstream, in the order configured. */
  providers: ProviderDescription[];
  /** The resolver over these models, with the seed's template offered as `seed`. */
  resolve: ModelResolver;
}

/** Options of {@link modelsFromEnv}. */
export interface ModelsFromEnvOptions {
  /** Where a model server that cannot be reached is logged, with its cause. */
  logger?: Logger;
}

/**
 * Reads the models from the environment. `TOKENWIRE_MODELS_FILE` names a JSON
 * file of providers (OpenAI, OpenAI-compatible servers, Anthropic) and the
 * models each serves. Without it, the short form: `OPENAI_API_KEY` or
 * `OPENAI_BASE_URL` selects OpenAI or a compatible server, and with neither,
 * the local demo model; `TOKENWIRE_MODELS` lists the names a caller may ask
 * for (`*` for any).
 */
export function modelsFromEnv(env: Record<string, string | undefined> = process.env, options: ModelsFromEnvOptions = {}): ModelsDescription {
  if (env.TOKENWIRE_MODELS_FILE) return modelsFromFile(env.TOKENWIRE_MODELS_FILE, { env, logger: options.logger });
  const allowed = parseAllowed(env.TOKENWIRE_MODELS);
  if (!env.OPENAI_API_KEY && !env.OPENAI_BASE_URL) {
    const tokensPerSecond = envNumber(env, "TOKENWIRE_LOCAL_TOKENS_PER_SECOND", { fallback: 30, fractions: true });
    const allowedModels = allowed === "any" ? undefined : (allowed ?? [localModelName]);
    return {
      provider: "local",
      defaultModel: localModelName,
      upstream: undefined,
      providers: [{ name: "local", type: "local", upstream: undefined, models: [...(allowedModels ?? [])] }],
      resolve: createModelCatalog({
        defaultModel: localModelName,
        allowedModels,
        createModel: ({ maxTokens }) => new LocalChatModel({ tokensPerSecond, maxTokens }),
        templates,
      }),
    };
  }
  const defaultModel = env.OPENAI_MODEL || "gpt-4o-mini";
  const createModel = openAIModelFactory({
    apiKey: checkedApiKey(env.OPENAI_API_KEY, "OPENAI_API_KEY"),
    baseURL: checkedBaseUrl(env.OPENAI_BASE_URL, { url: "OPENAI_BASE_URL", key: "OPENAI_API_KEY" }),
    api: openAIApiOf(env.OPENAI_API),
    maxRetries: envNumber(env, "OPENAI_MAX_RETRIES", { fallback: 2 }),
    logger: options.logger,
  });
  const upstream = originOf(env.OPENAI_BASE_URL) ?? "https://api.openai.com";
  const allowedModels = allowed === "any" ? undefined : (allowed ?? [defaultModel]);
  return {
    provider: "openai",
    defaultModel,
    upstream,
    providers: [{ name: "openai", type: "openai", upstream, models: [...(allowedModels ?? [])] }],
    resolve: createModelCatalog({ defaultModel, allowedModels, createModel, templates }),
  };
}

// The short form's variables describe one upstream; beside a models file they would be a second, silent truth.
const replacedByFile = ["OPENAI_BASE_URL", "OPENAI_MODEL", "OPENAI_API", "TOKENWIRE_MODELS"];

// Each model name routes to the one provider that lists it; a name no provider lists is `not_found`.
function modelsFromFile(path: string, context: { env: Record<string, string | undefined>; logger?: Logger }): ModelsDescription {
  const conflicting = replacedByFile.filter((name) => context.env[name]);
  if (conflicting.length > 0) {
    throw new ConfigError(`TOKENWIRE_MODELS_FILE replaces ${conflicting.join(" and ")}: unset ${conflicting.length > 1 ? "them" : "it"} and describe that upstream in the file`);
  }
  const { providers, defaultModel } = readModelsFile(path);
  const factories = new Map(providers.flatMap((provider) => {
    const factory = providerModelFactory(provider, context);
    return provider.models.map((model) => [model, factory] as const);
  }));
  const described = providers.map((provider) => ({ name: provider.name, type: provider.type, upstream: upstreamOf(provider), models: provider.models }));
  const home = described.find((provider) => provider.models.includes(defaultModel))!;
  return {
    provider: home.type,
    defaultModel,
    upstream: home.upstream,
    providers: described,
    resolve: createModelCatalog({ defaultModel, allowedModels: [...factories.keys()], createModel: (settings) => factories.get(settings.model)!(settings), templates }),
  };
}

// The value is not quoted back: a key set here by mistake would reach the log.
function openAIApiOf(value: string | undefined): ProviderConfig["api"] {
  const api = value?.trim();
  if (!api) return undefined;
  if (openAIApis.includes(api as never)) return api as ProviderConfig["api"];
  throw new ConfigError(`OPENAI_API must be ${openAIApis.join(" or ")}: chat for chat completions, which every OpenAI-compatible server speaks, responses for OpenAI's Responses API`);
}

function parseAllowed(value: string | undefined): readonly string[] | "any" | undefined {
  if (!value?.trim()) return undefined;
  if (value.trim() === "*") return "any";
  return value.split(",").map((name) => name.trim()).filter(Boolean);
}

// Logs show where the upstream is, never the user:password a URL may carry.
function originOf(url: string | undefined): string | undefined {
  if (!url) return undefined;
  const parsed = new URL(url);
  return `${parsed.protocol}//${parsed.host}${parsed.pathname}`;
}
