import { describe, expect, it } from "vitest";
import { createOpenAI } from "@ai-sdk/openai";
import { generateText, stepCountIs, streamText, tool, type ModelMessage } from "ai";
import OpenAI from "openai";
import { z } from "zod";
import { answerTokens, defaultTokens } from "../../fixtures/fake-openai.ts";
import type { TestServer } from "../../support/tokenwire-test-server.ts";
import { firstDelta, readUntil, toEnd } from "./response-events.ts";
import { responseLogs, useResponseReplicas } from "./response-replicas.ts";
import { weather } from "./weather-tool.ts";

const getWeather = tool({
  description: "The weather in a city",
  inputSchema: z.object({ city: z.string() }),
  execute: async ({ city }) => `Sunny in ${city}`,
});

// `@ai-sdk/openai` names the earlier answers' items by their ids (`item_reference`) unless store is false: one replica
// answers a turn, and the next turn, asked of the other, refers to its items.
describe.each(responseLogs)("item_reference input items on %s", (_name, createLog) => {
  const replicas = useResponseReplicas(createLog, ["echo", "agent", "reasoning", "lockstep"]);
  const { client } = replicas;
  const a = () => replicas.a;
  const b = () => replicas.b;
  const sentUpstream = () => b().upstream.requests.at(-1)!.body;

  // The provider as an app builds it, which also shows what it sent.
  const aiSdk = (server: TestServer) => {
    const inputs: unknown[][] = [];
    const fetching: typeof fetch = (url, init) => {
      inputs.push((JSON.parse(String(init?.body)) as { input: unknown[] }).input);
      return fetch(url, init);
    };
    return { openai: createOpenAI({ baseURL: `${server.baseUrl}/v1`, apiKey: "alice", fetch: fetching }), inputs };
  };

  it("should give the model the earlier answer that generateText's next turn refers to, its reasoning left out", async () => {
    const first = await generateText({ model: aiSdk(a()).openai("reasoning"), prompt: "Hi" });
    expect(first.text).toBe(answerTokens.join(""));
    const next = aiSdk(b());
    const messages: ModelMessage[] = [{ role: "user", content: "Hi" }, ...first.response.messages, { role: "user", content: "three four" }];
    const second = await generateText({ model: next.openai("echo"), messages });
    expect(next.inputs[0]).toEqual(expect.arrayContaining([{ type: "item_reference", id: expect.stringMatching(/^rs_/) }, { type: "item_reference", id: expect.stringMatching(/^msg_/) }]));
    expect(second.text).toBe("three four");
    expect(sentUpstream().messages).toEqual([
      { role: "user", content: "Hi" },
      { role: "assistant", content: answerTokens.join("") },
      { role: "user", content: "three four" },
    ]);
  });

  it("should give the model the answer after a tool's call that streamText's next turn refers to, the call and its result sent whole", async () => {
    const first = await generateText({ model: aiSdk(a()).openai("agent"), prompt: "What is the weather in Paris?", tools: { get_weather: getWeather }, stopWhen: stepCountIs(2) });
    expect(first.text).toBe("The tool says: Sunny in Paris");
    const next = aiSdk(b());
    // Each step's messages: the call and its result, then the answer.
    const answered = first.steps.flatMap((step) => step.response.messages);
    const messages: ModelMessage[] = [{ role: "user", content: "What is the weather in Paris?" }, ...answered, { role: "user", content: "and Rome" }];
    const second = streamText({ model: next.openai("echo"), messages });
    expect(await second.text).toBe("and Rome");
    expect(next.inputs[0]).toContainEqual({ type: "item_reference", id: `msg_${first.response.id.slice("resp_".length)}_0` });
    const callId = first.steps[0]!.toolCalls[0]!.toolCallId;
    expect(sentUpstream().messages).toEqual([
      { role: "user", content: "What is the weather in Paris?" },
      { role: "assistant", content: "", tool_calls: [{ id: callId, type: "function", function: { name: "get_weather", arguments: '{"city":"Paris"}' } }] },
      { role: "tool", tool_call_id: callId, content: "Sunny in Paris" },
      { role: "assistant", content: "The tool says: Sunny in Paris" },
      { role: "user", content: "and Rome" },
    ]);
  });

  it("should give the model a function call the openai client refers to, before the call's output", async () => {
    const first = await client(a()).responses.create({ model: "agent", input: "What is the weather in Paris?", tools: [weather] });
    const call = first.output[0] as OpenAI.Responses.ResponseFunctionToolCall;
    const input: OpenAI.Responses.ResponseInput = [
      { role: "user", content: "What is the weather in Paris?" },
      { type: "item_reference", id: call.id! },
      { type: "function_call_output", call_id: call.call_id, output: "Sunny, 24 °C" },
    ];
    const second = await client(b()).responses.create({ model: "agent", input, tools: [weather] });
    expect(second.output_text).toBe("The tool says: Sunny, 24 °C");
    expect(sentUpstream().messages).toEqual([
      { role: "user", content: "What is the weather in Paris?" },
      { role: "assistant", content: "", tool_calls: [{ id: call.call_id, type: "function", function: { name: "get_weather", arguments: '{"city":"Paris"}' } }] },
      { role: "tool", tool_call_id: call.call_id, content: "Sunny, 24 °C" },
    ]);
  });

  it("should answer 404 in OpenAI's words for an item it does not hold: malformed, unknown, not kept, beyond its output, or another caller's", async () => {
    const unkept = await client(a()).responses.create({ model: "echo", input: "forget me", store: false });
    const mine = await client(a()).responses.create({ model: "echo", input: "mine" });
    const kept = mine.output[0]!.id!;
    const attempts = [
      { caller: "alice", id: "msg_1" },
      { caller: "alice", id: `msg_${"0".repeat(32)}_0` },
      { caller: "alice", id: unkept.output[0]!.id! },
      { caller: "alice", id: kept.replace(/_0$/, "_7") },
      { caller: "alice", id: kept.replace(/^msg_/, "fc_") },
      { caller: "mallory", id: kept },
    ];
    const asked = b().upstream.requests.length;
    for (const { caller, id } of attempts) {
      const input = [{ role: "user" as const, content: "hi" }, { type: "item_reference" as const, id }];
      const failure = await client(b(), caller).responses.create({ model: "echo", input }).catch((error: unknown) => error);
      expect(failure).toBeInstanceOf(OpenAI.NotFoundError);
      expect((failure as { error: unknown }).error).toEqual({
        message: expect.stringContaining(`no item ${id} here to refer to`),
        type: "invalid_request_error",
        param: "input",
        code: "item_not_found",
      });
    }
    // None of them reached the model.
    expect(b().upstream.requests.length).toBe(asked);
  });

  it("should refuse a reference whose id is not a string, and an item its response is still writing", async () => {
    const failure = await fetch(`${b().baseUrl}/v1/responses`, {
      method: "POST",
      headers: { "content-type": "application/json", authorization: "Bearer alice" },
      body: JSON.stringify({ model: "echo", input: [{ type: "item_reference", id: 7 }] }),
    });
    expect(failure.status).toBe(400);
    expect(await failure.json()).toMatchObject({ error: { type: "invalid_request_error", message: "input[0].id must be a string (the id of an item this server answered)" } });
    const upstream = a().upstream.nextRequest();
    const running = await client(a()).responses.create({ model: "lockstep", input: "hi", background: true });
    await readUntil(await client(b()).responses.retrieve(running.id, { stream: true }), firstDelta);
    const itemId = `msg_${running.id.slice("resp_".length)}_0`;
    const writing = await client(b()).responses.create({ model: "echo", input: [{ type: "item_reference", id: itemId }] }).catch((error: unknown) => error);
    expect(writing).toMatchObject({ status: 400, message: expect.stringContaining(`names item ${itemId} which its response is still writing`) });
    const request = await upstream;
    for (const _ of defaultTokens) request.step();
    await toEnd(await client(b()).responses.retrieve(running.id, { stream: true }));
  });
});
