import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { RunnableLambda } from "@langchain/core/runnables";
import { ChatOpenAI } from "@langchain/openai";
import { tokenwireFrom } from "../../src/models/tokenwire-from.ts";
import { LocalChatModel } from "../../src/models/local-chat-model.ts";
import { OpenAIChatModel } from "../../src/models/openai-chat-model.ts";
import { startFakeOpenAI, type FakeOpenAI } from "../fixtures/fake-openai.ts";

const tools = [{ name: "get_weather", parameters: { type: "object", properties: {} } }];

let upstream: FakeOpenAI;
beforeAll(async () => (upstream = await startFakeOpenAI()));
afterAll(() => upstream.close());

describe("tokenwireFrom() with one model or runnable", () => {
  it("should refuse a request's tools for a runnable, which has its own tools or none", async () => {
    const tokenwire = tokenwireFrom({ runnable: RunnableLambda.from(async () => "hi"), inputFrom: () => ({}) });
    await expect(tokenwire.generate({ prompt: "x", tools })).rejects.toMatchObject({ code: "invalid_argument", message: "this server's model does not take the request's tools: send the request without them" });
  });

  it("should refuse a request's tools for a chat model that cannot bind them", async () => {
    const tokenwire = tokenwireFrom({ model: new LocalChatModel({ tokensPerSecond: 0 }) });
    await expect(tokenwire.generate({ prompt: "x", tools })).rejects.toMatchObject({ code: "invalid_argument", message: "this server's model does not take the request's tools: send the request without them" });
    expect((await tokenwire.generate({ prompt: "x" })).text).toMatch(/You said: x$/);
  });

  it.each([
    ["ChatOpenAI", ChatOpenAI],
    ["OpenAIChatModel", OpenAIChatModel],
  ])("should serve a request's temperature and max tokens with a copy of a %s built with them, as a catalogue does", async (_, Model) => {
    const model = new Model({ model: "gpt-test", apiKey: "sk-test", configuration: { baseURL: upstream.url }, temperature: 0.5 });
    const tokenwire = tokenwireFrom({ model });
    const sent = upstream.nextRequest();
    const answer = await tokenwire.generate({ prompt: "x", temperature: 1.5, maxTokens: 42 });
    expect((await sent).body).toMatchObject({ model: "gpt-test", temperature: 1.5, max_tokens: 42 });
    // The model keeps its own name, and its own settings for a request that sets none.
    expect(answer.model).toBe("gpt-test");
    expect(tokenwire.models).toEqual({ models: ["gpt-test"], defaultModel: "gpt-test", acceptsAnyModel: false });
    const plain = upstream.nextRequest();
    await tokenwire.generate({ prompt: "x" });
    expect((await plain).body).toMatchObject({ temperature: 0.5 });
    expect((await plain).body.max_tokens).toBeUndefined();
  });

  it("should stop the local model at a request's max tokens", async () => {
    const tokenwire = tokenwireFrom({ model: new LocalChatModel({ tokensPerSecond: 0 }) });
    const answer = await tokenwire.generate({ prompt: "x", maxTokens: 2, temperature: 0.2 });
    expect(answer.finishReason).toBe("length");
    expect(answer.text.trim().split(/\s+/)).toHaveLength(2);
  });

  it("should refuse temperature and max tokens for a runnable, which has no one place for them", async () => {
    const tokenwire = tokenwireFrom({ runnable: RunnableLambda.from(async () => "hi"), inputFrom: () => ({}) });
    await expect(tokenwire.generate({ prompt: "x", temperature: 1 })).rejects.toMatchObject({ code: "invalid_argument", reason: "invalidRequest" });
  });
});
