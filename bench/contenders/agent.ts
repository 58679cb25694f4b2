import { HumanMessage } from "@langchain/core/messages";
import { tool } from "@langchain/core/tools";
import { createReactAgent } from "@langchain/langgraph/prebuilt";
import { z } from "zod";
import { openAIModelFactory } from "../../src/models/openai-model.ts";
import type { OpenStream } from "../lib/harness.ts";

const weather = tool(async ({ city }) => `Sunny in ${city}.`, {
  name: "weather",
  description: "The weather in a city now.",
  schema: z.object({ city: z.string() }),
});

/**
 * A LangGraph ReAct agent with one tool, compiled once as a server would.
 * The chat model is chosen per run from `configurable.model`, because the
 * bench's model name tells the upstream what to send; it is built as
 * tokenwire builds its chat models.
 */
export function benchAgent(upstreamUrl: string) {
  const createModel = openAIModelFactory({ baseURL: upstreamUrl, apiKey: "bench", maxRetries: 0 });
  return createReactAgent({
    llm: (_state, runtime) => createModel({ model: String(runtime.configurable?.model) }).bindTools([weather]),
    tools: [weather],
  });
}

/**
 * The agent's floor: LangGraph's own `.stream()` in `messages` mode, read in
 * process with no network out. The answer's text is what it yields; the tool
 * call carries none and the tool's result is not a model's token.
 */
export function agentFloorStream(upstreamUrl: string): OpenStream {
  const agent = benchAgent(upstreamUrl);
  return async function* (model, signal) {
    const stream = await agent.stream({ messages: [new HumanMessage("hi")] }, { streamMode: "messages", signal, configurable: { model } });
    for await (const [chunk] of stream) {
      if (chunk.type === "ai" && typeof chunk.content === "string" && chunk.content !== "") yield chunk.content;
    }
  };
}
