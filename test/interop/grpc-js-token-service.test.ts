import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { status as Status } from "@grpc/grpc-js";
import { defaultTokens } from "../fixtures/fake-openai.ts";
import { collectStream, createGrpcJsClient, type GrpcJsClient } from "./grpc-js-client.ts";
import { interopModels, isTokenSplit, useInteropServer } from "./use-interop-server.ts";

/** `tokenwire.v1.StreamTokensResponse` as proto-loader reads it: `event` names the oneof's case. */
interface TokenEvent {
  sequence: string;
  event: "started" | "delta" | "finished";
  started?: { run_id: string; model: string };
  delta?: { text: string };
  finished?: { finish_reason: string; usage: { input_tokens: number; output_tokens: number; total_tokens: number } | null };
}

const stack = useInteropServer();
let client: GrpcJsClient;
beforeAll(() => {
  client = createGrpcJsClient({ file: "tokenwire/v1/token_service.proto", service: "tokenwire.v1.TokenService", target: stack.server.target });
});
afterAll(() => client?.close());

function streamTokens(generation: object, options: { deadline?: Date } = {}) {
  return client.stream<TokenEvent>("StreamTokens", { generation }, options);
}

describe("tokenwire.v1.TokenService/StreamTokens from grpc-js with the .proto", () => {
  it("should stream started, the tokens in order and finished with usage, in sequence", async () => {
    const { messages, status } = await collectStream(streamTokens({ prompt: "hello", max_tokens: 64 }));
    expect(status.code).toBe(Status.OK);
    expect(messages[0]).toMatchObject({ sequence: "0", event: "started", started: { model: interopModels.default } });
    expect(messages.at(-1)).toMatchObject({ event: "finished", finished: { finish_reason: "FINISH_REASON_STOP", usage: { input_tokens: 7, output_tokens: 10 } } });
    const deltas = messages.filter((m) => m.event === "delta").map((m) => m.delta!.text);
    expect(isTokenSplit(deltas, defaultTokens)).toBe(true);
    const sequences = messages.map((m) => Number(m.sequence));
    expect(sequences.every((n, i) => i === 0 || n > sequences[i - 1]!)).toBe(true);
    expect(sequences.at(-1)).toBe(defaultTokens.length + 1);
  });

  it("should pass the model, temperature and max_tokens on to the upstream", async () => {
    const request = stack.fake.nextRequest();
    await collectStream(streamTokens({ prompt: "hello", model: interopModels.default, temperature: 0.5, max_tokens: 12 }));
    const { body } = await request;
    expect(body).toMatchObject({ model: interopModels.default, temperature: 0.5 });
    expect(body.max_tokens ?? body.max_completion_tokens).toBe(12);
  });

  it.each([
    [{ prompt: "hello", model: interopModels.rateLimited }, Status.RESOURCE_EXHAUSTED],
    [{ prompt: "hello", model: interopModels.failing }, Status.UNAVAILABLE],
    [{ prompt: "hello", model: interopModels.unknown }, Status.NOT_FOUND],
    [{ prompt: "" }, Status.INVALID_ARGUMENT],
    [{ prompt: "hello", temperature: 3 }, Status.INVALID_ARGUMENT],
  ])("should end %o with status %i and no delta", async (generation, code) => {
    const { messages, status } = await collectStream(streamTokens(generation));
    expect(status.code).toBe(code);
    expect(messages.filter((m) => m.event === "delta")).toEqual([]);
  });

  it("should close the upstream request when the client cancels", async () => {
    const request = stack.fake.nextRequest();
    const call = streamTokens({ prompt: "hello", model: interopModels.stalling });
    const outcome = collectStream(call, (message) => message.event === "delta" && call.cancel());
    expect((await outcome).status.code).toBe(Status.CANCELLED);
    await (await request).clientClosed;
  });

  it("should end a stalled stream at its deadline with DEADLINE_EXCEEDED and close the upstream", async () => {
    const request = stack.fake.nextRequest();
    const { status } = await collectStream(streamTokens({ prompt: "hello", model: interopModels.stalling }, { deadline: new Date(Date.now() + 1000) }));
    expect(status.code).toBe(Status.DEADLINE_EXCEEDED);
    await (await request).clientClosed;
  });
});
