import { ChatOpenAI } from "@langchain/openai";
import type { ModelSettings } from "./model-catalog.ts";

/** How to reach OpenAI or any OpenAI-compatible server (Ollama, vLLM, llama.cpp). */
export interface OpenAIConnection {
  apiKey?: string;
  /** The server's base URL, such as `http://127.0.0.1:11434/v1`; unset for OpenAI. */
  baseURL?: string;
  /** Retries before the first byte of a reply (429 and 5xx); never mid-stream. Default 2. */
  maxRetries?: number;
  /** Milliseconds to wait for the reply's headers. Default 60,000. */
  timeoutMs?: number;
}

/** Returns a factory of `ChatOpenAI` models that stream with usage, one per request's settings. */
export function openAIModelFactory(connection: OpenAIConnection) {
  return ({ model, temperature, maxTokens }: ModelSettings) =>
    new ChatOpenAI({
      model,
      temperature,
      maxTokens,
      streaming: true,
      streamUsage: true,
      maxRetries: connection.maxRetries ?? 2,
      timeout: connection.timeoutMs ?? 60_000,
      // An OpenAI-compatible server may need no key; the client insists on one.
      apiKey: connection.apiKey || "unused",
      configuration: connection.baseURL ? { baseURL: connection.baseURL } : undefined,
    });
}
