import { ChatOpenAI } from "@langchain/openai";
import { ChatDeepSeek } from "@langchain/deepseek";
import { tool } from "@langchain/core/tools";
import { createReactAgent } from "@langchain/langgraph/prebuilt";
import { createAgent } from "langchain";
import { z } from "zod";
import type { FakeOpenAI, RecordedRequest } from "../fixtures/fake-openai.ts";

/** The real OpenAI client on the fake upstream; the model name picks the fake's behaviour. */
export function fakeChatModel(upstream: FakeOpenAI, model: string): ChatOpenAI {
  return new ChatOpenAI({ model, apiKey: "test", configuration: { baseURL: upstream.url }, maxRetries: 0 });
}

/** DeepSeek's chat model on the fake's `reasoning` model, which streams `reasoning_content` before its answer. */
export function fakeReasoningModel(upstream: FakeOpenAI): ChatDeepSeek {
  return new ChatDeepSeek({ model: "reasoning", apiKey: "test", configuration: { baseURL: upstream.url }, maxRetries: 0 });
}

/** What {@link getWeather} returns for a city. */
export const weatherIn = (city: string) => `Sunny in ${city}, 21 °C`;

/** The one tool the agents are given; the fake's `agent` model calls it with `{"city":"Paris"}`. */
export const getWeather = tool(async ({ city }) => weatherIn(city), {
  name: "get_weather",
  description: "The weather in a city",
  schema: z.object({ city: z.string() }),
});

/** An agent's input: one user message. */
export const agentInput = (question: string) => ({ messages: [{ role: "user", content: question }] });

/** The two ways to build a ReAct agent, each with the names of its model node and its tools node. */
export const agentKinds = [
  { name: "createReactAgent", modelNode: "agent", toolsNode: "tools", build: (model: ChatOpenAI) => createReactAgent({ llm: model, tools: [getWeather] }) },
  { name: "createAgent", modelNode: "model_request", toolsNode: "tools", build: (model: ChatOpenAI) => createAgent({ model, tools: [getWeather] }) },
] as const;

/** The usage the fake reported for these requests, summed, in tokenwire's spelling. */
export function summedUsage(requests: readonly RecordedRequest[]) {
  const sum = (key: "prompt_tokens" | "completion_tokens" | "total_tokens") => requests.reduce((total, r) => total + (r.sent.usage?.[key] ?? 0), 0);
  return { inputTokens: sum("prompt_tokens"), outputTokens: sum("completion_tokens"), totalTokens: sum("total_tokens") };
}
