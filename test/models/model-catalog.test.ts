import { describe, expect, it } from "vitest";
import { PromptTemplate } from "@langchain/core/prompts";
import type { BaseMessage } from "@langchain/core/messages";
import { createModelCatalog, type ModelSettings } from "../../src/models/model-catalog.ts";
import { LocalChatModel } from "../../src/models/local-chat-model.ts";

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
});
