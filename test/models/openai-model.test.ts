import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createReactAgent } from "@langchain/langgraph/prebuilt";
import { streamTokens } from "../../src/core/token-stream.ts";
import type { TokenEvent } from "../../src/core/token-event.ts";
import { openAIModelFactory } from "../../src/models/openai-model.ts";
import { answerTokens, reasoningTokens, startFakeOpenAI, type FakeOpenAI } from "../fixtures/fake-openai.ts";
import { argumentPieces, startFakeResponses, summaryParts, type FakeResponses } from "../fixtures/fake-responses.ts";
import { getWeather, weatherIn } from "../support/agents.ts";
import { collect } from "../support/collect.ts";

let chat: FakeOpenAI;
let responses: FakeResponses;
beforeAll(async () => ([chat, responses] = await Promise.all([startFakeOpenAI(), startFakeResponses()])));
afterAll(() => Promise.all([chat.close(), responses.close()]));

const textOf = (events: TokenEvent[], type: "delta" | "reasoning") => events.flatMap((e) => (e.type === type ? [e.text] : [])).join("");
/** The kinds of text events in order, each run once: reasoning then delta reads `["reasoning", "delta"]`. */
const order = (events: TokenEvent[]) => events.map((e) => e.type).filter((type, i, all) => (type === "reasoning" || type === "delta") && type !== all[i - 1]);
/** The summary as a reader sees it: its parts a paragraph apart. */
const summary = summaryParts.map((part) => part.join("")).join("\n\n");

describe("openAIModelFactory() over chat completions", () => {
  const model = (name: string) => openAIModelFactory({ baseURL: chat.url, apiKey: "sk-test", maxRetries: 0 })({ model: name });

  it.each([
    ["reasoning", "reasoning_content, as DeepSeek and llama.cpp send it"],
    ["reasoning-vllm", "reasoning, as vLLM and Ollama send it"],
  ])("should stream %s's delta.%s as reasoning parts before the answer", async (name) => {
    const { events, error } = await collect(streamTokens(model(name), "hi"));
    expect(error).toBeUndefined();
    expect(textOf(events, "reasoning")).toBe(reasoningTokens.join(""));
    expect(textOf(events, "delta")).toBe(answerTokens.join(""));
    expect(order(events)).toEqual(["reasoning", "delta"]);
    expect(events.at(-1)).toMatchObject({ type: "finished", finishReason: "stop", usage: { outputTokens: reasoningTokens.length + answerTokens.length } });
    expect(chat.requests.at(-1)!.sent.reasoning).toBe(reasoningTokens.join(""));
  });
});

describe('openAIModelFactory() with api: "responses"', () => {
  const model = (name: string, maxTokens?: number) => openAIModelFactory({ baseURL: responses.url, apiKey: "sk-test", maxRetries: 0, api: "responses" })({ model: name, maxTokens });

  it("should ask a reasoning model for its summary and stream it as reasoning parts, a paragraph between parts, then the text and the usage", async () => {
    const { events, error } = await collect(streamTokens(model("o4-mini", 256), "hi"));
    expect(error).toBeUndefined();
    expect(responses.requests.at(-1)).toMatchObject({
      authorization: "Bearer sk-test",
      body: { model: "o4-mini", stream: true, reasoning: { summary: "auto" }, max_output_tokens: 256, input: [{ role: "user", content: "hi" }] },
    });
    expect(textOf(events, "reasoning")).toBe(summary);
    expect(textOf(events, "delta")).toBe(answerTokens.join(""));
    expect(order(events)).toEqual(["reasoning", "delta"]);
    const deltas = summaryParts.flat().length + answerTokens.length;
    expect(events.at(-1)).toMatchObject({ type: "finished", finishReason: "stop", usage: { inputTokens: 10, outputTokens: deltas, totalTokens: 10 + deltas } });
  });

  it("should send no reasoning settings to a model that does not reason, and stream its text", async () => {
    const { events, error } = await collect(streamTokens(model("gpt-4.1"), "hi"));
    expect(error).toBeUndefined();
    expect(responses.requests.at(-1)!.body).not.toHaveProperty("reasoning");
    expect(events.filter((e) => e.type === "reasoning")).toEqual([]);
    expect(textOf(events, "delta")).toBe(answerTokens.join(""));
    expect(events.at(-1)).toMatchObject({ finishReason: "stop" });
  });

  it("should stream a function call as tool-call pieces and a complete call, with finish reason tool_calls", async () => {
    const { events, error } = await collect(streamTokens(model("gpt-4.1").bindTools([getWeather]), "What is the weather in Paris?"));
    expect(error).toBeUndefined();
    expect(responses.requests.at(-1)!.body.tools).toEqual([expect.objectContaining({ type: "function", name: "get_weather" })]);
    expect(events.filter((e) => e.type === "tool_call_delta").map((e) => e.text).join("")).toBe(argumentPieces.join(""));
    expect(events.filter((e) => e.type === "tool_call")).toEqual([expect.objectContaining({ name: "get_weather", argsJson: argumentPieces.join(""), id: expect.stringMatching(/^call_/) })]);
    expect(events.at(-1)).toMatchObject({ finishReason: "tool_calls" });
  });

  it("should run a tool-calling agent: the call, the tool's result sent back as function_call_output, then the answer", async () => {
    const agent = createReactAgent({ llm: model("o4-mini"), tools: [getWeather] });
    const { events, error } = await collect(streamTokens(agent, { messages: [{ role: "user", content: "What is the weather in Paris?" }] }));
    expect(error).toBeUndefined();
    expect(events.filter((e) => e.type === "tool_result")).toEqual([expect.objectContaining({ name: "get_weather", content: weatherIn("Paris") })]);
    expect(responses.requests.at(-1)!.body.input).toContainEqual(expect.objectContaining({ type: "function_call_output", output: weatherIn("Paris") }));
    expect(textOf(events, "reasoning")).toBe(`${summary}${summary}`);
    expect(textOf(events, "delta")).toBe(answerTokens.join(""));
    expect(events.at(-1)).toMatchObject({ finishReason: "stop" });
  });

  it("should end a response cut at max_output_tokens with finish reason length", async () => {
    const { events, error } = await collect(streamTokens(model("o4-mini-incomplete"), "hi"));
    expect(error).toBeUndefined();
    expect(textOf(events, "delta")).toBe(answerTokens.slice(0, 2).join(""));
    expect(events.at(-1)).toMatchObject({ type: "finished", finishReason: "length" });
  });

  it("should fail with unavailable on response.failed, after the reasoning sent before it, with no word of the upstream's message", async () => {
    const { events, error } = await collect(streamTokens(model("o4-mini-failed"), "hi"));
    expect(textOf(events, "reasoning")).toBe(summary);
    expect(error).toMatchObject({ code: "unavailable", message: "the model server reported an error in its stream" });
    expect(events.some((e) => e.type === "finished")).toBe(false);
  });

  it("should map an upstream HTTP 429 to resource_exhausted", async () => {
    const { error } = await collect(streamTokens(model("status-429"), "hi"));
    expect(error?.code).toBe("resource_exhausted");
  });

  it("should close the upstream's connection when the reader stops", async () => {
    const events = streamTokens(model("o4-mini-paced-20"), "hi")[Symbol.asyncIterator]();
    for (let next = await events.next(); next.value?.type !== "reasoning"; next = await events.next());
    await events.return?.();
    const request = responses.requests.at(-1)!;
    expect(await request.ended).toBe("client-closed");
    expect(request.sent.summary.length).toBeLessThan(summaryParts.flat().length);
  });
});
