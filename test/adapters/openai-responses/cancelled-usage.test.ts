import { afterAll, beforeAll, describe, expect, it } from "vitest";
import OpenAI from "openai";
import type { BaseMessage } from "@langchain/core/messages";
import { RunnableLambda, type RunnableConfig } from "@langchain/core/runnables";
import { messagesInput, type ModelResolver, type ResolvedRun } from "../../../src/index.ts";
import { createTokenwireServer, type TokenwireServer } from "../../../src/server/index.ts";
import { defaultTokens, startFakeOpenAI, type FakeOpenAI } from "../../fixtures/fake-openai.ts";
import { fakeChatModel } from "../../support/agents.ts";
import { deltaText, readUntil } from "./response-events.ts";

// `two-calls` runs two model calls one after the other, as an agent does: `echo`, which finishes with its usage, then
// `lockstep`, which holds its tokens until the test lets them go. `lockstep` alone is one call.
let upstream: FakeOpenAI;
let server: TokenwireServer;
let client: OpenAI;
beforeAll(async () => {
  upstream = await startFakeOpenAI();
  const [echo, lockstep] = [fakeChatModel(upstream, "echo"), fakeChatModel(upstream, "lockstep")];
  const twoCalls = RunnableLambda.from(async (messages: BaseMessage[], config?: RunnableConfig) => {
    await echo.invoke(messages, config);
    return lockstep.invoke(messages, config);
  });
  const resolve: ModelResolver = (request) => {
    const runnable = request.model === "two-calls" ? twoCalls : lockstep;
    return { model: request.model ?? "lockstep", runnable: runnable as unknown as ResolvedRun["runnable"], input: messagesInput(request).messages };
  };
  server = createTokenwireServer({ resolve: Object.assign(resolve, { models: { models: ["two-calls", "lockstep"], defaultModel: "lockstep", acceptsAnyModel: false } }) });
  client = new OpenAI({ apiKey: "unused", baseURL: `http://127.0.0.1:${(await server.listen(0, "127.0.0.1")).port}/v1`, maxRetries: 0 });
});
afterAll(async () => {
  await server?.shutdown(100);
  await upstream?.close();
});

// `echo` says its input back.
const input = "hello there";

// Starts a background response, reads its stream until the held call has sent its first token, and cancels it.
async function cancelledWhileHeld(model: string, said: string): Promise<OpenAI.Responses.Response> {
  const asked = upstream.requests.length;
  const stream = await client.responses.create({ model, input, background: true, stream: true });
  const [created] = await readUntil(stream, (events) => deltaText(events) === said + defaultTokens[0]);
  const held = upstream.requests.at(-1)!;
  expect(held.body.model).toBe("lockstep");
  const cancelled = await client.responses.cancel((created as OpenAI.Responses.ResponseCreatedEvent).response.id);
  expect(await held.ended).toBe("client-closed");
  expect(upstream.requests.length - asked).toBe(model === "two-calls" ? 2 : 1);
  return cancelled;
}

describe("the usage of a response cancelled while it generates", () => {
  it("should be that of the model calls that had finished, as the upstream reported it", async () => {
    const cancelled = await cancelledWhileHeld("two-calls", input);
    const finished = upstream.requests.at(-2)!;
    expect(finished.body).toMatchObject({ model: "echo", stream_options: { include_usage: true } });
    const reported = finished.sent.usage!;
    expect(cancelled).toMatchObject({
      status: "cancelled",
      usage: { input_tokens: reported.prompt_tokens, output_tokens: reported.completion_tokens, total_tokens: reported.total_tokens },
    });
    expect(await client.responses.retrieve(cancelled.id)).toMatchObject({ status: "cancelled", usage: cancelled.usage });
  });

  it("should be null when no model call had finished: nothing of the call it cut short is known", async () => {
    const cancelled = await cancelledWhileHeld("lockstep", "");
    expect(cancelled).toMatchObject({ status: "cancelled", usage: null });
  });
});
