import { createModelCatalog } from "./model-catalog.ts";
import { seedInputVariable, seedTemplate } from "./seed-template.ts";
import { LocalChatModel } from "./local-chat-model.ts";
import { openAIModelFactory } from "./openai-model.ts";
import type { ModelResolver } from "../core/model-resolver.ts";
import { envNumber } from "./env-settings.ts";
import { checkedApiKey, checkedBaseUrl } from "./upstream-settings.ts";

const templates = { seed: { template: seedTemplate, inputVariable: seedInputVariable } };

/** The name the local demo model answers to. */
export const localModelName = "local";

/** Where the models come from, read from the environment by {@link modelsFromEnv}. */
export interface ModelsDescription {
  /** `local` for the built-in demo model, else `openai` (OpenAI or a compatible server). */
  provider: "local" | "openai";
  defaultModel: string;
  /** The upstream's origin, without credentials, for the startup line. */
  upstream: string | undefined;
  /** The resolver over these models, with the seed's template offered as `seed`. */
  resolve: ModelResolver;
}

/**
 * Reads the models from the environment: `OPENAI_API_KEY` or `OPENAI_BASE_URL`
 * selects OpenAI or a compatible server; with neither, the local demo model.
 * `TOKENWIRE_MODELS` lists the names a caller may ask for (`*` for any).
 */
export function modelsFromEnv(env: Record<string, string | undefined> = process.env): ModelsDescription {
  const allowed = parseAllowed(env.TOKENWIRE_MODELS);
  if (!env.OPENAI_API_KEY && !env.OPENAI_BASE_URL) {
    const tokensPerSecond = envNumber(env, "TOKENWIRE_LOCAL_TOKENS_PER_SECOND", { fallback: 30, fractions: true });
    return {
      provider: "local",
      defaultModel: localModelName,
      upstream: undefined,
      resolve: createModelCatalog({
        defaultModel: localModelName,
        allowedModels: allowed === "any" ? undefined : (allowed ?? [localModelName]),
        createModel: ({ maxTokens }) => new LocalChatModel({ tokensPerSecond, maxTokens }),
        templates,
      }),
    };
  }
  const defaultModel = env.OPENAI_MODEL || "gpt-4o-mini";
  const createModel = openAIModelFactory({
    apiKey: checkedApiKey(env.OPENAI_API_KEY, "OPENAI_API_KEY"),
    baseURL: checkedBaseUrl(env.OPENAI_BASE_URL, { url: "OPENAI_BASE_URL", key: "OPENAI_API_KEY" }),
    maxRetries: envNumber(env, "OPENAI_MAX_RETRIES", { fallback: 2 }),
  });
  return {
    provider: "openai",
    defaultModel,
    upstream: originOf(env.OPENAI_BASE_URL) ?? "https://api.openai.com",
    resolve: createModelCatalog({ defaultModel, allowedModels: allowed === "any" ? undefined : (allowed ?? [defaultModel]), createModel, templates }),
  };
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
