import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { tool } from "@langchain/core/tools";
import { createReactAgent } from "@langchain/langgraph/prebuilt";
import { z } from "zod";
import { streamTokens } from "../../src/core/token-stream.ts";
import { anthropicModelFactory } from "../../src/models/anthropic-model.ts";
import { overloadedAfter, startFakeAnthropic, textTokens, thinkingTokens, toolJsonPieces, type FakeAnthropic } from "../fixtures/fake-anthropic.ts";
import { collect } from "../support/collect.ts";
import { textOf } from "../support/stream-text.ts";

let fake: FakeAnthropic;
beforeAll(async () => (fake = await startFakeAnthropic()));
afterAll(() => fake.close());

const model = (name: string) => anthropicModelFactory({ baseURL: fake.url, apiKey: "sk-ant-test", maxRetries: 0 })({ model: name });

describe("anthropicModelFactory()", () => {
  it("should stream the text with finish reason stop for end_turn, and usage counted once", async () => {
    const { events, error } = await collect(streamTokens(model("claude-text"), "hi"));
    expect(error).toBeUndefined();
    expect(textOf(events, "delta")).toBe(textTokens.join(""));
    expect(events.at(-1)).toMatchObject({ type: "finished", finishReason: "stop", usage: { inputTokens: 10, outputTokens: textTokens.length, totalTokens: 10 + textTokens.length } });
    expect(fake.requests.at(-1)).toMatchObject({ apiKey: "sk-ant-test", body: { model: "claude-text", stream: true, messages: [{ role: "user", content: "hi" }] } });
  });

  it("should stream thinking as reasoning parts, before the answer's text", async () => {
    const { events } = await collect(streamTokens(model("claude-thinking"), "hi"));
    expect(textOf(events, "reasoning")).toBe(thinkingTokens.join(""));
    expect(textOf(events, "delta")).toBe(textTokens.join(""));
    const kinds = events.map((e) => e.type).filter((type) => type === "reasoning" || type === "delta");
    expect(kinds.indexOf("delta")).toBeGreaterThan(kinds.lastIndexOf("reasoning"));
  });

  it("should stream a tool_use block as tool-call pieces and a complete call, with finish reason tool_calls", async () => {
    const { events } = await collect(streamTokens(model("claude-tool"), "What is the weather in Paris?"));
    const pieces = events.filter((e) => e.type === "tool_call_delta");
    expect(pieces[0]).toMatchObject({ name: "get_weather", id: expect.stringMatching(/^toolu_/) });
    expect(pieces.map((p) => p.text).join("")).toBe(toolJsonPieces.join(""));
    expect(events.filter((e) => e.type === "tool_call")).toEqual([expect.objectContaining({ name: "get_weather", argsJson: toolJsonPieces.join("") })]);
    expect(events.at(-1)).toMatchObject({ finishReason: "tool_calls" });
  });

  it("should end with finish reason length for max_tokens", async () => {
    const { events } = await collect(streamTokens(model("claude-max-tokens"), "hi"));
    expect(textOf(events, "delta")).toBe(textTokens.slice(0, 3).join(""));
    expect(events.at(-1)).toMatchObject({ finishReason: "length", usage: { outputTokens: 3 } });
  });

  it("should fail with unavailable on an overloaded_error event in the middle of the stream, after the text before it", async () => {
    const { events, error } = await collect(streamTokens(model("claude-overloaded"), "hi"));
    expect(textOf(events, "delta")).toBe(textTokens.slice(0, overloadedAfter).join(""));
    expect(error).toMatchObject({ code: "unavailable", message: expect.stringContaining("unavailable") });
  });

  it.each([
    ["status-429", "resource_exhausted"],
    ["status-401", "unauthenticated"],
    ["status-500", "unavailable"],
  ])("should map an HTTP %s to %s, with no word of the upstream's message", async (name, code) => {
    const { error } = await collect(streamTokens(model(name), "hi"));
    expect(error?.code).toBe(code);
    expect(error?.message).not.toContain("sk-ant");
  });

  it("should run a tool-calling agent: the call, the tool's result, then the answer", async () => {
    const getWeather = tool(async ({ city }) => `Sunny in ${city}`, { name: "get_weather", description: "The weather in a city", schema: z.object({ city: z.string() }) });
    const agent = createReactAgent({ llm: model("claude-tool"), tools: [getWeather] });
    const { events, error } = await collect(streamTokens(agent, { messages: [{ role: "user", content: "What is the weather in Paris?" }] }));
    expect(error).toBeUndefined();
    expect(events.filter((e) => e.type === "tool_call")).toEqual([expect.objectContaining({ name: "get_weather", argsJson: toolJsonPieces.join(""), origin: expect.objectContaining({ node: "agent" }) })]);
    expect(events.filter((e) => e.type === "tool_result")).toEqual([expect.objectContaining({ name: "get_weather", content: "Sunny in Paris" })]);
    expect(textOf(events, "delta")).toContain("The tool says: Sunny in Paris");
    expect(events.at(-1)).toMatchObject({ finishReason: "stop" });
    // Tools were offered in Anthropic's shape.
    expect(fake.requests.at(-1)!.body.tools).toEqual([expect.objectContaining({ name: "get_weather" })]);
  });

  it("should ask for extended thinking when the connection gives a budget", async () => {
    await collect(streamTokens(anthropicModelFactory({ baseURL: fake.url, apiKey: "k", maxRetries: 0, thinkingBudgetTokens: 1024 })({ model: "claude-thinking", maxTokens: 4096 }), "hi"));
    expect(fake.requests.at(-1)!.body).toMatchObject({ thinking: { type: "enabled", budget_tokens: 1024 }, max_tokens: 4096 });
  });
});
