import { describe, expect, it } from "vitest";
import { createClient } from "@connectrpc/connect";
import { createConnectTransport, createGrpcTransport } from "@connectrpc/connect-node";
import { TokenService } from "../../gen/tokenwire/v1/token_service_pb.js";
import { defaultTokens } from "../fixtures/fake-openai.ts";
import { useTokenwireServer } from "../support/tokenwire-test-server.ts";
import { ask } from "../support/ask.ts";

const test = useTokenwireServer();
const method = "tokenwire.v1.TokenService/StreamTokens";

async function streamAndLog(stream: AsyncIterable<unknown>, afterFirst?: () => void) {
  const before = test.current.logs().length;
  try {
    for await (const _ of stream) afterFirst?.();
  } catch {
    // the log line is what this test reads
  }
  await test.current.settled();
  return test.current.logs().slice(before);
}

describe("createTokenwireServer() logs", () => {
  it("should log one info line per stream with protocol, method, model, tokens, time to first token, duration and status", async () => {
    const lines = await streamAndLog(createClient(TokenService, createGrpcTransport({ baseUrl: test.current.baseUrl })).streamTokens(ask("gpt-test")));
    expect(lines).toHaveLength(1);
    expect(lines[0]).toMatchObject({ level: 30, protocol: "grpc", method, model: "gpt-test", tokens: defaultTokens.length, status: "ok" });
    expect(lines[0]?.timeToFirstTokenMs).toBeTypeOf("number");
    expect(lines[0]?.durationMs).toBeGreaterThanOrEqual(lines[0]?.timeToFirstTokenMs as number);
  });

  it("should log a client that goes away as a cancellation at info", async () => {
    const controller = new AbortController();
    const client = createClient(TokenService, createConnectTransport({ baseUrl: test.current.baseUrl, httpVersion: "2" }));
    const lines = await streamAndLog(client.streamTokens(ask("paced-50"), { signal: controller.signal }), () => controller.abort());
    expect(lines).toEqual([expect.objectContaining({ level: 30, protocol: "connect", method, status: "canceled" })]);
  });

  it("should log an upstream failure as a warning with its code and a cause that names no secret", async () => {
    const lines = await streamAndLog(createClient(TokenService, createGrpcTransport({ baseUrl: test.current.baseUrl })).streamTokens(ask("status-500")));
    expect(lines).toEqual([expect.objectContaining({ level: 40, method, model: "status-500", status: "unavailable", tokens: 0 })]);
    expect(lines[0]?.cause).toMatchObject({ status: 500 });
  });

  it("should log a refused request with its code and no tokens", async () => {
    const empty = { generation: { input: { case: "prompt" as const, value: "" } } };
    const refused = await streamAndLog(createClient(TokenService, createGrpcTransport({ baseUrl: test.current.baseUrl })).streamTokens(empty));
    expect(refused).toEqual([expect.objectContaining({ level: 40, protocol: "grpc", method, status: "invalid_argument", tokens: 0 })]);
  });
});
