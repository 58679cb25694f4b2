import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { status as Status } from "@grpc/grpc-js";
import { defaultTokens } from "../fixtures/fake-openai.ts";
import { collectStream, createGrpcJsClient, statusMessage, type GrpcJsClient } from "./grpc-js-client.ts";
import { interopModels, isTokenSplit, useInteropServer } from "./use-interop-server.ts";

interface Answer {
  error: string;
  content: string;
}

const stack = useInteropServer();
let client: GrpcJsClient;
beforeAll(() => {
  client = createGrpcJsClient({ file: "openai/chatgpt.proto", service: "openai.Chatgpt", target: stack.server.target });
});
afterAll(() => client?.close());

function send(content: string, options: { model?: string; deadline?: Date } = {}) {
  const params = options.model ? { model: options.model } : undefined;
  return client.stream<Answer>("Send", { content, params }, { deadline: options.deadline });
}

describe("openai.Chatgpt/Send from grpc-js with the seed's .proto", () => {
  it("should stream the upstream's tokens in order, one Answer.content per delta", async () => {
    const { messages, status } = await collectStream(send("hello"));
    expect(status.code).toBe(Status.OK);
    expect(messages.every((answer) => answer.error === "")).toBe(true);
    expect(isTokenSplit(messages.map((answer) => answer.content), defaultTokens)).toBe(true);
  });

  it("should send the seed's prompt template with the content to the upstream", async () => {
    const request = stack.fake.nextRequest();
    await collectStream(send("what is gRPC?"));
    const { body } = await request;
    expect(body.model).toBe(interopModels.default);
    expect(body.messages.map((m) => m.content).join("\n")).toContain("what is gRPC?");
  });

  it.each([
    [interopModels.rateLimited, Status.RESOURCE_EXHAUSTED],
    [interopModels.failing, Status.UNAVAILABLE],
    [interopModels.unknown, Status.NOT_FOUND],
  ])("should end model %s with one Answer.error and status %i", async (model, code) => {
    const { messages, status } = await collectStream(send("hello", { model }));
    expect(status.code).toBe(code);
    expect(messages).toEqual([{ error: statusMessage(status), content: "" }]);
    expect(statusMessage(status)).not.toContain("sk-");
  });

  it("should end a stream whose upstream resets after three tokens with those tokens, Answer.error and UNAVAILABLE", async () => {
    const { messages, status } = await collectStream(send("hello", { model: interopModels.reset }));
    expect(status.code).toBe(Status.UNAVAILABLE);
    expect(messages.at(-1)).toEqual({ error: statusMessage(status), content: "" });
    // A reset may drop tokens still in flight: what arrived is a prefix of the three sent.
    expect(defaultTokens.slice(0, 3).join("").startsWith(messages.slice(0, -1).map((answer) => answer.content).join(""))).toBe(true);
  });

  it("should refuse empty content with INVALID_ARGUMENT", async () => {
    const { status } = await collectStream(send(""));
    expect(status.code).toBe(Status.INVALID_ARGUMENT);
    expect(status.details).toMatch(/empty/);
  });

  it("should close the upstream request when the client cancels", async () => {
    const request = stack.fake.nextRequest();
    const call = send("hello", { model: interopModels.stalling });
    const outcome = collectStream(call, () => call.cancel());
    expect((await outcome).status.code).toBe(Status.CANCELLED);
    await (await request).clientClosed;
  });

  it("should end a stalled stream at its deadline with DEADLINE_EXCEEDED and close the upstream", async () => {
    const request = stack.fake.nextRequest();
    const { messages, status } = await collectStream(send("hello", { model: interopModels.stalling, deadline: new Date(Date.now() + 1000) }));
    expect(status.code).toBe(Status.DEADLINE_EXCEEDED);
    // The stream may end before all three tokens arrive; whatever did arrive is a prefix of them.
    expect(defaultTokens.slice(0, 3).join("").startsWith(messages.map((answer) => answer.content).join(""))).toBe(true);
    await (await request).clientClosed;
  });
});
