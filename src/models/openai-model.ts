import { ChatOpenAI } from "@langchain/openai";
import { errors } from "../core/errors.ts";
import type { ModelSettings } from "./model-catalog.ts";

/** How to reach OpenAI or any OpenAI-compatible server (Ollama, vLLM, llama.cpp). */
export interface OpenAIConnection {
  apiKey?: string;
  /** The server's base URL, such as `http://127.0.0.1:11434/v1`; unset for OpenAI. */
  baseURL?: string;
  /** Retries of a call that fails before the reply's first byte, by LangChain's rules (README, `OPENAI_MAX_RETRIES`); never mid-stream. Default 2. */
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
      configuration: { baseURL: connection.baseURL, fetch: eventStreamFetch },
    });
}

/**
 * `fetch` for the OpenAI client that refuses a 200 to a streaming request
 * whose body is not an event stream. The client would read an HTML page (a
 * wrong `OPENAI_BASE_URL`) or a plain JSON completion as a reply with no
 * chunk, and the stream would end as an empty success.
 */
async function eventStreamFetch(input: string | URL | Request, init?: RequestInit): Promise<Response> {
  const response = await fetch(input, init);
  const type = response.headers.get("content-type") ?? "";
  if (!response.ok || type.includes("text/event-stream") || !isStreamingRequest(init)) return response;
  await response.body?.cancel();
  throw errors.upstreamNotStream(type.split(";")[0]!);
}

function isStreamingRequest(init: RequestInit | undefined): boolean {
  return typeof init?.body === "string" && /"stream":\s*true/.test(init.body);
}
