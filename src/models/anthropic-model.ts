import type { Logger } from "../core/logger.ts";
import { AnthropicChatModel } from "./anthropic-chat-model.ts";
import type { ModelSettings } from "./model-catalog.ts";
import { upstreamFetch } from "./upstream-fetch.ts";

/** How to reach Anthropic's Messages API, or a server that speaks it. */
export interface AnthropicConnection {
  apiKey?: string;
  /** The API's base URL, without `/v1`; unset for Anthropic's. */
  baseURL?: string;
  /** Retries before the first byte of a reply (429 and 5xx); never mid-stream. Default 2. */
  maxRetries?: number;
  /** Milliseconds to wait for the reply's headers. Default 60,000. */
  timeoutMs?: number;
  /** Turns on extended thinking with this budget of tokens, streamed as reasoning; it must be below the request's max tokens. */
  thinkingBudgetTokens?: number;
  /** The provider's name in the log line of an unreachable server; default `anthropic`. */
  name?: string;
  /** Where an unreachable server is logged, with its cause; default nowhere. */
  logger?: Logger;
}

/** Returns a factory of Anthropic chat models that stream with usage and finish reasons, one per request's settings. */
export function anthropicModelFactory(connection: AnthropicConnection) {
  const upstream = upstreamFetch({ provider: connection.name ?? "anthropic", logger: connection.logger });
  const thinking = connection.thinkingBudgetTokens ? { type: "enabled" as const, budget_tokens: connection.thinkingBudgetTokens } : undefined;
  return ({ model, temperature, maxTokens }: ModelSettings) =>
    new AnthropicChatModel({
      model,
      temperature,
      maxTokens,
      thinking,
      streaming: true,
      streamUsage: true,
      maxRetries: connection.maxRetries ?? 2,
      // A server that speaks the Messages API may need no key; the client insists on one.
      apiKey: connection.apiKey || "unused",
      anthropicApiUrl: connection.baseURL,
      clientOptions: { fetch: upstream, timeout: connection.timeoutMs ?? 60_000 },
    });
}
