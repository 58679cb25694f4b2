import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { streamTokens } from "../../src/core/token-stream.ts";
import type { TokenEvent } from "../../src/core/token-event.ts";
import { openAIModelFactory } from "../../src/models/openai-model.ts";
import { answerTokens, reasoningTokens, startFakeOpenAI, type FakeOpenAI } from "../fixtures/fake-openai.ts";
import { collect } from "../support/collect.ts";

let chat: FakeOpenAI;
beforeAll(async () => (chat = await startFakeOpenAI()));
afterAll(() => chat.close());

const textOf = (events: TokenEvent[], type: "delta" | "reasoning") => events.flatMap((e) => (e.type === type ? [e.text] : [])).join("");
/** The kinds of text events in order, each run once: reasoning then delta reads `["reasoning", "delta"]`. */
const order = (events: TokenEvent[]) => events.map((e) => e.type).filter((type, i, all) => (type === "reasoning" || type === "delta") && type !== all[i - 1]);

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
