import { beforeAll, describe, expect, it } from "vitest";
import OpenAI from "openai";
import { Agent, OpenAIResponsesModel, run, setTracingDisabled, tool } from "@openai/agents";
import { z } from "zod";
import { useTokenwireServer } from "../../support/tokenwire-test-server.ts";

const server = useTokenwireServer({ allowedModels: ["agent"] });

// The Agents SDK exports its traces to OpenAI unless told not to; the tests reach nothing but the loopback.
beforeAll(() => setTracingDisabled(true));

const getWeather = tool({
  name: "get_weather",
  description: "The weather in a city",
  parameters: z.object({ city: z.string() }),
  execute: async ({ city }) => `Sunny in ${city}`,
});

const client = () => new OpenAI({ apiKey: "unused", baseURL: `${server.current.baseUrl}/v1`, maxRetries: 0 });

// An agent on the Responses API, its client aimed at tokenwire.
const weatherAgent = () =>
  new Agent({
    name: "Weather",
    instructions: "Answer with the weather",
    model: new OpenAIResponsesModel(client(), "agent"),
    tools: [getWeather],
  });

describe("@openai/agents on the Responses API against /v1/responses", () => {
  it("should run an agent that calls its function tool and answers from the tool's output", async () => {
    const result = await run(weatherAgent(), "What is the weather in Paris?");
    expect(result.finalOutput).toBe("The tool says: Sunny in Paris");
    const [first, second] = server.current.upstream.requests.slice(-2);
    expect(first!.body.messages[0]).toEqual({ role: "system", content: "Answer with the weather" });
    expect(second!.body.messages.at(-1)).toMatchObject({ role: "tool", content: "Sunny in Paris" });
  });

  it("should stream the agent's run to its answer", async () => {
    const result = await run(weatherAgent(), "What is the weather in Paris?", { stream: true });
    let text = "";
    for await (const chunk of result.toTextStream()) text += chunk;
    await result.completed;
    expect(text).toBe("The tool says: Sunny in Paris");
    expect(result.finalOutput).toBe("The tool says: Sunny in Paris");
  });

  it("should go on from a kept response with previousResponseId, sending the server only what each turn adds", async () => {
    const earlier = await client().responses.create({ model: "agent", input: "I am in Paris" });
    const result = await run(weatherAgent(), "What is the weather?", { previousResponseId: earlier.id });
    expect(result.finalOutput).toBe("The tool says: Sunny in Paris");
    // The tool's turn sent only its output after the turn that called it: the model got the rest from the chain.
    const messages = server.current.upstream.requests.at(-1)!.body.messages;
    expect(messages.slice(0, 4)).toEqual([
      { role: "system", content: "Answer with the weather" },
      { role: "user", content: "I am in Paris" },
      { role: "assistant", content: "I am in Paris" },
      { role: "user", content: "What is the weather?" },
    ]);
    expect(messages.slice(4)).toMatchObject([{ role: "assistant", tool_calls: [{ function: { name: "get_weather" } }] }, { role: "tool", content: "Sunny in Paris" }]);
  });
});
