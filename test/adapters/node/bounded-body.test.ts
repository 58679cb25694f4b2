import { describe, expect, it } from "vitest";
import { Code, ConnectError, createClient } from "@connectrpc/connect";
import { compressionGzip } from "@connectrpc/connect-node";
import { TokenService } from "../../../gen/tokenwire/v1/token_service_pb.js";
import { transportsTo, useTokenwireServer } from "../../support/tokenwire-test-server.ts";

// The RPCs against the same read limit as the dialects' routes: refused in tokenwire's words, which name its setting.
const readMaxBytes = 2048;
const test = useTokenwireServer({ readMaxBytes });
const tooLarge = `the request is larger than this server's read limit of ${readMaxBytes} bytes (TOKENWIRE_READ_MAX_BYTES)`;
const ask = (prompt: string) => ({ generation: { input: { case: "prompt" as const, value: prompt }, model: "gpt-test" } });

async function refusal(call: () => Promise<unknown>): Promise<ConnectError> {
  const error = await call().then(() => undefined, ConnectError.from);
  if (!error) throw new Error("the call was not refused");
  return error;
}

async function readAll(events: AsyncIterable<unknown>): Promise<void> {
  for await (const event of events) void event;
}

const refusals = () => test.current.logs().filter((line) => line.msg === "request larger than the read limit");

describe.each(transportsTo(() => test.current.baseUrl))("a request over TOKENWIRE_READ_MAX_BYTES over %s", (_name, transport) => {
  const client = () => createClient(TokenService, transport());

  it.each([
    ["StreamTokens", (prompt: string) => readAll(client().streamTokens(ask(prompt)))],
    ["Generate", (prompt: string) => client().generate(ask(prompt))],
  ])("should refuse %s with resource_exhausted naming TOKENWIRE_READ_MAX_BYTES, log it at warn, and ask no model", async (method, call) => {
    const asked = test.current.upstream.requests.length;
    const logged = refusals().length;
    const error = await refusal(() => call("x".repeat(readMaxBytes * 2)));
    expect([Code[error.code], error.rawMessage]).toEqual(["ResourceExhausted", tooLarge]);
    expect(refusals().slice(logged)).toEqual([expect.objectContaining({ level: 40, method: `tokenwire.v1.TokenService/${method}`, status: "resource_exhausted", message: tooLarge })]);
    expect(test.current.upstream.requests.length).toBe(asked);
  });

  it("should refuse a compressed request that is over the limit once decompressed in the same words, and log it with its compression", async () => {
    const compressed = createClient(TokenService, transport({ sendCompression: compressionGzip }));
    const logged = refusals().length;
    // A few hundred bytes sent, 8 KiB once decompressed.
    for (const call of [() => readAll(compressed.streamTokens(ask("x".repeat(readMaxBytes * 4)))), () => compressed.generate(ask("x".repeat(readMaxBytes * 4)))]) {
      const error = await refusal(call);
      expect([Code[error.code], error.rawMessage]).toEqual(["ResourceExhausted", tooLarge]);
    }
    expect(refusals().slice(logged)).toEqual(Array(2).fill(expect.objectContaining({ level: 40, compression: "gzip", status: "resource_exhausted", message: tooLarge })));
  });

  it("should serve a request under the limit", async () => {
    expect((await client().generate(ask("hi"))).text).not.toBe("");
  });
});

describe("Connect's unary JSON over the limit", () => {
  it("should answer 429 with Connect's error JSON, from the Content-Length alone", async () => {
    const response = await fetch(`${test.current.baseUrl}/tokenwire.v1.TokenService/Generate`, {
      method: "POST",
      headers: { "content-type": "application/json" },
      body: JSON.stringify(ask("x".repeat(readMaxBytes))),
    });
    expect(response.status).toBe(429);
    expect(await response.json()).toEqual({ code: "resource_exhausted", message: tooLarge });
  });
});
