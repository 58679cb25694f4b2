import { describe, expect, it } from "vitest";
import { createOpenAI } from "@ai-sdk/openai";
import { generateText, stepCountIs, streamText, tool, type ModelMessage } from "ai";
import { z } from "zod";
import { defaultTokens } from "../../fixtures/fake-openai.ts";
import { useTokenwireServer } from "../../support/tokenwire-test-server.ts";

const server = useTokenwireServer({ allowedModels: ["echo", "agent", "gpt-test", "paced-20"] });

// `openai(model)` is the Responses API: the provider as an app builds it, but for its base URL.
const openai = () => createOpenAI({ baseURL: `${server.current.baseUrl}/v1`, apiKey: "unused" });
const upstream = () => server.current.upstream.requests.at(-1)!;
const getWeather = tool({
  description: "The weather in a city",
  inputSchema: z.object({ city: z.string() }),
  execute: async ({ city }) => `Sunny in ${city}`,
});

describe("@ai-sdk/openai's default model, the Responses API, against /v1/responses", () => {
  it("should stream text with streamText, its finish reason and usage", async () => {
    const result = streamText({ model: openai()("gpt-test"), prompt: "Tell me about wires" });
    const deltas: string[] = [];
    for await (const text of result.textStream) deltas.push(text);
    expect(deltas.join("")).toBe(defaultTokens.join(""));
    expect(await result.finishReason).toBe("stop");
    const { prompt_tokens, completion_tokens } = upstream().sent.usage!;
    expect(await result.usage).toMatchObject({ inputTokens: prompt_tokens, outputTokens: completion_tokens });
  });

  it("should answer generateText with the system prompt and the messages passed on", async () => {
    const { text, response } = await generateText({ model: openai()("echo"), system: "Be brief", prompt: "one two three" });
    expect(text).toBe("Be brief");
    expect(upstream().body.messages).toEqual([
      { role: "system", content: "Be brief" },
      { role: "user", content: "one two three" },
    ]);
    expect(response.id).toMatch(/^resp_/);
  });

  it("should call a tool, run it, and answer from its result over two steps with generateText", async () => {
    const { text, steps } = await generateText({ model: openai()("agent"), prompt: "What is the weather in Paris?", tools: { get_weather: getWeather }, stopWhen: stepCountIs(2) });
    expect(steps[0]!.toolCalls).toMatchObject([{ toolName: "get_weather", input: { city: "Paris" } }]);
    expect(steps[0]!.finishReason).toBe("tool-calls");
    expect(text).toBe("The tool says: Sunny in Paris");
    const [, call, output] = upstream().body.messages;
    expect(call).toMatchObject({ role: "assistant", tool_calls: [{ function: { name: "get_weather", arguments: '{"city":"Paris"}' } }] });
    expect(output).toMatchObject({ role: "tool", content: "Sunny in Paris", tool_call_id: call!.tool_calls![0]!.id });
  });

  it("should stream the tool's input as it comes, and the answer, with streamText", async () => {
    const result = streamText({ model: openai()("agent"), prompt: "What is the weather in Paris?", tools: { get_weather: getWeather }, stopWhen: stepCountIs(2) });
    const parts: string[] = [];
    for await (const part of result.fullStream) parts.push(part.type);
    expect(parts).toEqual(expect.arrayContaining(["tool-input-start", "tool-input-delta", "tool-call", "tool-result", "text-delta"]));
    expect(parts.indexOf("tool-call")).toBeLessThan(parts.indexOf("text-delta"));
    expect(await result.text).toBe("The tool says: Sunny in Paris");
  });

  // By default the next turn refers to the earlier answer's items by id (item-references.test.ts); with store false it
  // sends them whole.
  it.each([
    ["refers to its items (the default)", {}],
    ["sends its items (store false)", { openai: { store: false } }],
  ])("should answer a conversation's next turn that %s", async (_how, providerOptions) => {
    const first = await generateText({ model: openai()("echo"), prompt: "one two", providerOptions });
    const messages: ModelMessage[] = [{ role: "user", content: "one two" }, ...first.response.messages, { role: "user", content: "three four" }];
    const second = await generateText({ model: openai()("echo"), messages, providerOptions });
    expect(second.text).toBe("three four");
    expect(upstream().body.messages).toEqual([
      { role: "user", content: "one two" },
      { role: "assistant", content: "one two" },
      { role: "user", content: "three four" },
    ]);
  });

  it("should go on from the previous response the server kept, named by providerOptions.openai.previousResponseId", async () => {
    const first = await generateText({ model: openai()("echo"), prompt: "one two" });
    const second = await generateText({ model: openai()("echo"), prompt: "three four", providerOptions: { openai: { previousResponseId: first.response.id } } });
    expect(second.text).toBe("three four");
    expect(upstream().body.messages).toEqual([
      { role: "user", content: "one two" },
      { role: "assistant", content: "one two" },
      { role: "user", content: "three four" },
    ]);
  });

  it("should close the upstream's connection when streamText is aborted", async () => {
    const abort = new AbortController();
    const request = server.current.upstream.nextRequest();
    const result = streamText({ model: openai()("paced-20"), prompt: "hi", abortSignal: abort.signal });
    for await (const _ of result.textStream) {
      abort.abort();
      break;
    }
    expect(await (await request).ended).toBe("client-closed");
  });
});
