import type OpenAI from "openai";

/** A function tool as the Responses API spells it, which the fake upstream's `agent` model calls with `{"city":"Paris"}`. */
export const weather: OpenAI.Responses.FunctionTool = {
  type: "function",
  name: "get_weather",
  description: "The weather in a city",
  parameters: { type: "object", properties: { city: { type: "string" } }, required: ["city"] },
  strict: true,
};

/** What a user asks of it. */
export const question = "What is the weather in Paris?";
