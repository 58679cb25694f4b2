import { ChatOpenAI } from "@langchain/openai";
import { tool } from "@langchain/core/tools";
import { createReactAgent } from "@langchain/langgraph/prebuilt";
import { z } from "zod";
import { streamTokens } from "tokenwire";

const getWeather = tool(async ({ city }) => `Sunny in ${city}, 21 °C`, {
  name: "get_weather",
  description: "The weather in a city",
  schema: z.object({ city: z.string() }),
});
const agent = createReactAgent({ llm: new ChatOpenAI({ model: process.env.OPENAI_MODEL ?? "gpt-4o-mini" }), tools: [getWeather] });

for await (const event of streamTokens(agent, { messages: [{ role: "user", content: "What is the weather in Paris?" }] })) {
  if (event.type === "tool_call") console.log(`→ ${event.name}(${event.argsJson}) from ${event.origin?.node}`);
  if (event.type === "tool_result") console.log(`← ${event.content}`);
  if (event.type === "delta") process.stdout.write(event.text);
  if (event.type === "finished") console.log(`\n${event.finishReason}`, event.usage);
}
