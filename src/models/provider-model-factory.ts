import type { BaseChatModel } from "@langchain/core/language_models/chat_models";
import type { Logger } from "../core/logger.ts";
import type { ProviderConfig } from "../config/models-file.ts";
import type { ProviderSettings } from "../config/models-settings.ts";
import { anthropicModelFactory } from "./anthropic-model.ts";
import { LocalChatModel } from "./local-chat-model.ts";
import type { ModelSettings } from "./model-catalog.ts";
import { openAIModelFactory } from "./openai-model.ts";

/** What a provider's factory needs besides its settings. */
export interface ProviderContext {
  /** Where an unreachable server is logged. */
  logger?: Logger;
}

/** The chat-model factory of one provider, as the environment configures it (its key already read and checked). */
export function providerModelFactory(provider: ProviderSettings, { logger }: ProviderContext): (settings: ModelSettings) => BaseChatModel {
  if (provider.type === "local") return ({ maxTokens }) => new LocalChatModel({ tokensPerSecond: provider.tokensPerSecond, maxTokens });
  const connection = { name: provider.name, logger, baseURL: provider.baseUrl, apiKey: provider.apiKey, maxRetries: provider.maxRetries, timeoutMs: provider.timeoutMs };
  if (provider.type === "anthropic") return anthropicModelFactory({ ...connection, thinkingBudgetTokens: provider.thinkingBudgetTokens });
  return openAIModelFactory({ ...connection, api: provider.api });
}

/** Where a provider's requests go, without the credentials a URL may carry, for logs. */
export function upstreamOf(provider: ProviderConfig): string | undefined {
  if (provider.type === "local") return undefined;
  const url = new URL(provider.baseUrl ?? (provider.type === "anthropic" ? "https://api.anthropic.com" : "https://api.openai.com/v1"));
  return `${url.protocol}//${url.host}${url.pathname === "/" ? "" : url.pathname}`;
}
