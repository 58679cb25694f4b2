import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { ChatOpenAI } from "@langchain/openai";
import { AIMessageChunk, HumanMessage, ToolMessage } from "@langchain/core/messages";
import OpenAI from "openai";
import { createModelCatalog } from "../../../src/index.ts";
import { createTokenwireServer, type TokenwireServer } from "../../../src/server/index.ts";
import { defaultTokens } from "../../fixtures/fake-openai.ts";
import { useTokenwireServer } from "../../support/tokenwire-test-server.ts";
import { getWeather } from "../../support/agents.ts";

const inner = useTokenwireServer({ allowedModels: ["echo", "agent", "gpt-test", "paced-20"] });

// LangChain's OpenAI model on the Responses API, aimed at tokenwire as at OpenAI.
const chatModel = (model: string, baseUrl = inner.current.baseUrl) =>
  new ChatOpenAI({ model, useResponsesApi: true, apiKey: "unused", maxRetries: 0, configuration: { baseURL: `${baseUrl}/v1` } });
const upstream = () => inner.current.upstream.requests.at(-1)!;

describe("LangChain's ChatOpenAI with useResponsesApi against /v1/responses", () => {
  it("should answer invoke with the text, its response id and usage", async () => {
    const message = await chatModel("echo").invoke("one two three");
    expect(message.text).toBe("one two three");
    expect(message.id).toMatch(/^(resp|msg)_/);
    expect(message.usage_metadata).toMatchObject({ input_tokens: upstream().sent.usage!.prompt_tokens, output_tokens: upstream().sent.usage!.completion_tokens });
  });

  it("should stream the text in chunks", async () => {
    let text = "";
    for await (const chunk of await chatModel("gpt-test").stream("Tell me about wires")) text += chunk.text;
    expect(text).toBe(defaultTokens.join(""));
  });

  it("should call a bound tool, and answer from the tool's message in a second turn", async () => {
    const model = chatModel("agent").bindTools([getWeather]);
    const question = new HumanMessage("What is the weather in Paris?");
    const call = await model.invoke([question]);
    expect(call.tool_calls).toMatchObject([{ name: "get_weather", args: { city: "Paris" } }]);
    const answer = await model.invoke([question, call, new ToolMessage({ content: "Sunny, 24 °C", tool_call_id: call.tool_calls![0]!.id! })]);
    expect(answer.text).toBe("The tool says: Sunny, 24 °C");
    expect(upstream().body.messages.at(-1)).toEqual({ role: "tool", tool_call_id: call.tool_calls![0]!.id, content: "Sunny, 24 °C" });
  });

  it("should stream a bound tool's call in chunks that add up to it", async () => {
    let whole: AIMessageChunk | undefined;
    for await (const chunk of await chatModel("agent").bindTools([getWeather]).stream("What is the weather in Paris?")) whole = whole ? whole.concat(chunk) : chunk;
    expect(whole?.tool_calls).toMatchObject([{ name: "get_weather", args: { city: "Paris" } }]);
  });
});

describe("tokenwire behind tokenwire: a server whose model is ChatOpenAI on another's Responses API", () => {
  let outer: TokenwireServer;
  let outerUrl = "";
  beforeAll(async () => {
    const createModel = ({ model }: { model: string }) => chatModel(model);
    outer = createTokenwireServer({ resolve: createModelCatalog({ defaultModel: "echo", createModel }) });
    outerUrl = `http://127.0.0.1:${(await outer.listen(0, "127.0.0.1")).port}`;
  });
  afterAll(() => outer?.shutdown(100));

  it("should stream the inner server's reply through the outer one's chat completions", async () => {
    const client = new OpenAI({ apiKey: "unused", baseURL: `${outerUrl}/v1`, maxRetries: 0 });
    let text = "";
    for await (const chunk of await client.chat.completions.create({ model: "gpt-test", messages: [{ role: "user", content: "hi" }], stream: true })) {
      text += chunk.choices[0]?.delta.content ?? "";
    }
    expect(text).toBe(defaultTokens.join(""));
  });

  it("should finish with tool_calls when the inner server's model called a tool", async () => {
    const client = new OpenAI({ apiKey: "unused", baseURL: `${outerUrl}/v1`, maxRetries: 0 });
    const tools: OpenAI.ChatCompletionFunctionTool[] = [{ type: "function", function: { name: "get_weather", parameters: { type: "object", properties: { city: { type: "string" } } } } }];
    const completion = await client.chat.completions.create({ model: "agent", messages: [{ role: "user", content: "What is the weather in Paris?" }], tools });
    expect(completion.choices[0]).toMatchObject({ finish_reason: "tool_calls", message: { tool_calls: [{ function: { name: "get_weather", arguments: '{"city":"Paris"}' } }] } });
  });

  it("should pass the outer server's own Responses API through to the inner one", async () => {
    const message = await chatModel("echo", outerUrl).invoke("through two servers");
    expect(message.text).toBe("through two servers");
  });
});
