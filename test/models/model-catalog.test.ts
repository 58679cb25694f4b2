import { describe, expect, it } from "vitest";
import { PromptTemplate } from "@langchain/core/prompts";
import type { BaseMessage } from "@langchain/core/messages";
import { createModelCatalog, type ModelSettings } from "../../src/models/model-catalog.ts";
import { LocalChatModel } from "../../src/models/local-chat-model.ts";
import { createTokenwire } from "../../src/core/tokenwire.ts";
import { openAIModelFactory } from "../../src/models/openai-model.ts";

function catalog(allowedModels?: string[]) {
  const built: ModelSettings[] = [];
  const resolve = createModelCatalog({
    defaultModel: "small",
    allowedModels,
    createModel: (settings) => (built.push(settings), new LocalChatModel({ tokensPerSecond: 0 })),
    templates: { story: { template: PromptTemplate.fromTemplate("Tell a {mood} story about {topic}"), inputVariable: "topic" } },
  });
  return { resolve, built };
}

describe("createModelCatalog()", () => {
  it("should use the default model and pass the request's settings to the factory", async () => {
    const { resolve, built } = catalog(["small", "large"]);
    expect((await resolve({ prompt: "hi", temperature: 0.5, maxTokens: 9 })).model).toBe("small");
    expect(built).toEqual([{ model: "small", temperature: 0.5, maxTokens: 9 }]);
  });

  it("should build one model per distinct settings and share it between the requests that ask for them", async () => {
    const { resolve, built } = catalog();
    const runs = [];
    for (const request of [{ prompt: "a" }, { prompt: "b" }, { prompt: "c", temperature: 0.2 }, { prompt: "d", model: "other" }, { prompt: "e", temperature: 0.2 }]) {
      runs.push(await resolve(request));
    }
    expect(built).toEqual([{ model: "small" }, { model: "small", temperature: 0.2 }, { model: "other" }]);
    expect(runs[1]!.runnable).toBe(runs[0]!.runnable);
    expect(runs[4]!.runnable).toBe(runs[2]!.runnable);
    expect(runs[2]!.runnable).not.toBe(runs[0]!.runnable);
  });

  it("should keep a bounded number of models, building again one it let go", async () => {
    const { resolve, built } = catalog();
    for (let i = 0; i <= 256; i++) await resolve({ prompt: "x", temperature: i / 1000 });
    await resolve({ prompt: "x", temperature: 0.256 });
    expect(built).toHaveLength(257);
    await resolve({ prompt: "x", temperature: 0 });
    expect(built).toHaveLength(258);
  });

  it("should refuse a model outside the allowed list with not_found, never falling back", async () => {
    const { resolve, built } = catalog(["small"]);
    expect(() => resolve({ prompt: "hi", model: "large" })).toThrow(expect.objectContaining({ code: "not_found", message: 'model "large" is not offered here (choose small)' }));
    expect(built).toEqual([]);
  });

  it("should pass any model name through when no list is given", async () => {
    expect((await catalog().resolve({ prompt: "hi", model: "anything" })).model).toBe("anything");
  });

  it("should send a prompt as one user message, and a history as its messages", async () => {
    const { resolve } = catalog();
    const single = (await resolve({ prompt: "hi" })).input as BaseMessage[];
    expect(single.map((m) => [m.type, m.text])).toEqual([["human", "hi"]]);
    const history = (await resolve({ messages: [{ role: "system", content: "s" }, { role: "assistant", content: "a" }, { role: "user", content: "u" }] })).input as BaseMessage[];
    expect(history.map((m) => [m.type, m.text])).toEqual([["system", "s"], ["ai", "a"], ["human", "u"]]);
  });

  it("should send an assistant's tool calls and the tools' results as LangChain's AIMessage tool_calls and ToolMessage", async () => {
    const toolCalls = [{ id: "call_1", name: "get_weather", argsJson: '{"city":"Paris"}' }];
    const messages = [{ role: "user" as const, content: "u" }, { role: "assistant" as const, content: "", toolCalls }, { role: "tool" as const, content: "sunny", toolCallId: "call_1" }];
    const history = (await catalog().resolve({ messages })).input as BaseMessage[];
    expect(history.map((m) => m.type)).toEqual(["human", "ai", "tool"]);
    expect(history[1]).toMatchObject({ tool_calls: [{ id: "call_1", name: "get_weather", args: { city: "Paris" }, type: "tool_call" }] });
    expect(history[2]).toMatchObject({ tool_call_id: "call_1", content: "sunny" });
  });

  it("should bind a request's tools to a new binding, leaving the model it shares with other requests without them", async () => {
    const resolve = createModelCatalog({ defaultModel: "m", createModel: openAIModelFactory({ baseURL: "http://127.0.0.1:9/v1" }) });
    const tools = [{ name: "get_weather", parameters: { type: "object", properties: {} } }];
    // ChatOpenAI binds call options as a copy of itself with default options.
    type Bound = { defaultOptions?: object };
    const withTools = (await resolve({ prompt: "x", tools, toolChoice: { name: "get_weather" }, stop: ["END"] })).runnable as unknown as Bound;
    const plain = (await resolve({ prompt: "x" })).runnable as unknown as Bound;
    expect(withTools).not.toBe(plain);
    expect(withTools.defaultOptions).toMatchObject({ tool_choice: "get_weather", stop: ["END"], tools: [{ type: "function", function: { name: "get_weather" } }] });
    expect(plain.defaultOptions).toBeUndefined();
  });

  it("should fill a named template with the prompt and the variables", async () => {
    const run = await catalog().resolve({ prompt: "wires", template: "story", variables: { mood: "calm" } });
    expect(run.input).toEqual({ mood: "calm", topic: "wires" });
    let text = "";
    for await (const chunk of await run.runnable.stream(run.input)) text += (chunk as { text: string }).text;
    expect(text).toMatch(/You said: Tell a calm story about wires$/);
  });

  it.each([
    [{ prompt: "wires", template: "story" }, "invalid_argument", "the prompt template needs the variables mood"],
    [{ messages: [{ role: "user" as const, content: "x" }], template: "story" }, "invalid_argument", "a prompt template takes a prompt and not messages"],
    [{ prompt: "x", template: "poem" }, "not_found", 'prompt template "poem" is not offered here'],
    [{ prompt: "x", template: "toString" }, "not_found", 'prompt template "toString" is not offered here'],
  ])("should refuse %j with %s", async (request, code, message) => {
    expect(() => catalog().resolve(request)).toThrow(expect.objectContaining({ code, message }));
  });

  it.each([
    ["a prompt template's chain", { prompt: "x", variables: { mood: "calm" }, template: "story", tools: [{ name: "f" }] }],
    ["a model that cannot call tools", { prompt: "x", tools: [{ name: "f" }] }],
  ])("should bind no tools to %s, whose tools the core then refuses", async (_, request) => {
    expect((await catalog().resolve(request)).toolsBound).toBeFalsy();
    const tokenwire = createTokenwire({ resolve: catalog().resolve });
    await expect(tokenwire.generate(request)).rejects.toMatchObject({ code: "invalid_argument", message: "this server's model does not take the request's tools: send the request without them" });
  });
});
