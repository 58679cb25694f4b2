import type { BaseChatModel } from "@langchain/core/language_models/chat_models";
import type { Logger } from "../core/logger.ts";
import { anthropicModelFactory } from "./anthropic-model.ts";
import { ConfigError, envNumber } from "./env-settings.ts";
import { LocalChatModel } from "./local-chat-model.ts";
import type { ModelSettings } from "./model-catalog.ts";
import type { ProviderConfig } from "./models-file.ts";
import { openAIModelFactory } from "./openai-model.ts";
import { checkedApiKey, checkedBaseUrl } from "./upstream-settings.ts";

/** What a provider's factory reads besides its config: the environment its key is in, and where an unreachable server is logged. */
export interface ProviderContext {
  env: Record<string, string | undefined>;
  logger?: Logger;
}

/**
 * The chat-model factory of one provider of a models file, its key read from
 * the environment variable the file names; a key variable that is named (or
 * that the provider needs) and unset is a {@link ConfigError}.
 */
export function providerModelFactory(provider: ProviderConfig, { env, logger }: ProviderContext): (settings: ModelSettings) => BaseChatModel {
  const names = { url: `the baseUrl of provider "${provider.name}"`, key: provider.apiKeyEnv ?? "the variable its apiKeyEnv names" };
  const baseURL = checkedBaseUrl(provider.baseUrl, names);
  const connection = { name: provider.name, logger, baseURL, maxRetries: provider.maxRetries, timeoutMs: provider.timeoutMs };
  if (provider.type === "local") {
    const tokensPerSecond = envNumber(env, "TOKENWIRE_LOCAL_TOKENS_PER_SECOND", { fallback: 30, fractions: true });
    return ({ maxTokens }) => new LocalChatModel({ tokensPerSecond, maxTokens });
  }
  const apiKey = keyOf(provider, env);
  if (provider.type === "anthropic") return anthropicModelFactory({ ...connection, apiKey, thinkingBudgetTokens: provider.thinkingBudgetTokens });
  return openAIModelFactory({ ...connection, apiKey, api: provider.api });
}

/** Where a provider's requests go, without the credentials a URL may carry, for logs. */
export function upstreamOf(provider: ProviderConfig): string | undefined {
  if (provider.type === "local") return undefined;
  const url = new URL(provider.baseUrl ?? (provider.type === "anthropic" ? "https://api.anthropic.com" : "https://api.openai.com/v1"));
  return `${url.protocol}//${url.host}${url.pathname === "/" ? "" : url.pathname}`;
}

// A provider of one's own (a base URL) may need no key; OpenAI's and Anthropic's own always do.
function keyOf(provider: ProviderConfig, env: Record<string, string | undefined>): string | undefined {
  const variable = provider.apiKeyEnv ?? (provider.baseUrl ? undefined : provider.type === "anthropic" ? "ANTHROPIC_API_KEY" : "OPENAI_API_KEY");
  if (variable === undefined) return undefined;
  const key = env[variable];
  if (!key) throw new ConfigError(`provider "${provider.name}" takes its key from ${variable}, which is not set: set it, or name another variable in apiKeyEnv`);
  return checkedApiKey(key, variable);
}
