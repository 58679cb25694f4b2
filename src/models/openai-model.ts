import type { Logger } from "../core/logger.ts";
import type { ModelSettings } from "./model-catalog.ts";
import type { ProviderConfig } from "../config/models-file.ts";
import { OpenAIChatModel } from "./openai-chat-model.ts";
import { upstreamFetch } from "./upstream-fetch.ts";

/** How to reach OpenAI or any OpenAI-compatible server (Ollama, vLLM, llama.cpp). */
export interface OpenAIConnection {
  apiKey?: string;
  /** The server's base URL, such as `http://127.0.0.1:11434/v1`; unset for OpenAI. */
  baseURL?: string;
  /**
   * `chat` (default) calls chat completions, which every compatible server
   * speaks; `responses` calls OpenAI's Responses API, and asks OpenAI's
   * reasoning models (o-series, gpt-5) for their reasoning summaries.
   */
  api?: ProviderConfig["api"];
  /** Retries of a call that fails before the reply's first byte, by LangChain's rules (README, `OPENAI_MAX_RETRIES`); never mid-stream. Default 2. */
  maxRetries?: number;
  /** Milliseconds to wait for the reply's headers. Default 60,000. */
  timeoutMs?: number;
  /** The provider's name in the log line of an unreachable server; default `openai`. */
  name?: string;
  /** Where an unreachable server is logged, with its cause; default nowhere. */
  logger?: Logger;
}

/**
 * Returns a factory of {@link OpenAIChatModel}s that stream with usage and
 * reasoning, one per request's settings.
 */
export function openAIModelFactory(connection: OpenAIConnection) {
  // One fetch for every model of this connection: the event-stream check, the trace context, the unreachable server's log line.
  const upstream = upstreamFetch({ provider: connection.name ?? "openai", logger: connection.logger });
  // LangChain sends `reasoning` to the models it knows reason, and to no other: gpt-4o would refuse it.
  const api = connection.api === "responses" ? { useResponsesApi: true, reasoning: { summary: "auto" as const } } : {};
  return ({ model, temperature, maxTokens }: ModelSettings) =>
    new OpenAIChatModel({
      model,
      temperature,
      maxTokens,
      ...api,
      streaming: true,
      streamUsage: true,
      maxRetries: connection.maxRetries ?? 2,
      timeout: connection.timeoutMs ?? 60_000,
      // An OpenAI-compatible server may need no key; the client insists on one.
      apiKey: connection.apiKey || "unused",
      configuration: { baseURL: connection.baseURL, fetch: upstream },
    });
}
