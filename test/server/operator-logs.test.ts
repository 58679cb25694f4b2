import { afterAll, describe, expect, it } from "vitest";
import { Code, createClient } from "@connectrpc/connect";
import { createGrpcTransport } from "@connectrpc/connect-node";
import { TokenService } from "../../gen/tokenwire/v1/token_service_pb.js";
import { parsePrometheusText } from "../support/prometheus-text.ts";
import { startTokenwireServer, testApiKey, type TestServer } from "../support/tokenwire-test-server.ts";
import { failureOf } from "../support/read-stream.ts";
import { closedPort } from "../support/free-port.ts";

const servers: TestServer[] = [];
afterAll(() => Promise.all(servers.map((server) => server.close())));
const prompt = (text: string) => ({ generation: { input: { case: "prompt" as const, value: text }, model: "gpt-test" } });

describe("what operators read in the log", () => {
  it("should log an unreachable upstream with its cause, ECONNREFUSED at its address and port, never the key, and count it as a connection failure", async () => {
    const port = await closedPort();
    const server = await startTokenwireServer({ baseURL: () => `http://127.0.0.1:${port}/v1` });
    servers.push(server);
    const client = createClient(TokenService, createGrpcTransport({ baseUrl: server.baseUrl }));
    expect((await failureOf(client.streamTokens(prompt("hi")))).code).toBe(Code.Unavailable);
    await server.settled();
    const line = server.logs().find((entry) => entry.msg === "stream failed");
    expect(line).toMatchObject({ status: "unavailable", cause: { code: "ECONNREFUSED", syscall: "connect", address: "127.0.0.1", port } });
    expect(server.logText()).not.toContain(testApiKey);
    const metrics = parsePrometheusText(await (await fetch(`${server.baseUrl}/metrics`)).text());
    expect(metrics.value("tokenwire_upstream_failures_total", { status: "connection" })).toBe(1);
  });

  it("should log a request larger than the read limit, which no stream line would say", async () => {
    const server = await startTokenwireServer({ readMaxBytes: 1024 });
    servers.push(server);
    const client = createClient(TokenService, createGrpcTransport({ baseUrl: server.baseUrl }));
    expect((await failureOf(client.streamTokens(prompt("x".repeat(4096))))).code).toBe(Code.ResourceExhausted);
    expect(server.logs().find((entry) => entry.msg === "request larger than the read limit")).toMatchObject({
      level: 40,
      method: "tokenwire.v1.TokenService/StreamTokens",
      status: "resource_exhausted",
    });
    expect(server.upstream.requests).toEqual([]);
  });
});

describe("what a caller sends, in the log", () => {
  it("should write U+2028, U+2029 and U+0085 as escapes, which JSON leaves raw and readers take for line breaks", async () => {
    const server = await startTokenwireServer({ allowedModels: ["gpt-test", "gpt\u2028x\u2029y\u0085z"] });
    servers.push(server);
    const chat = (model: string) =>
      fetch(`${server.baseUrl}/v1/chat/completions`, { method: "POST", headers: { "content-type": "application/json" }, body: JSON.stringify({ model, messages: [{ role: "user", content: "hi" }] }) });
    expect((await chat("gpt\u2028x\u2029y\u0085z")).status).toBe(200);
    expect((await chat("no\u2028such\u2029model\u0085")).status).toBe(404);
    await server.settled();
    expect(server.logText()).not.toMatch(/[\u2028\u2029\u0085]/);
    expect(server.logs().filter((line) => line.protocol === "openai").map(({ model, message }) => ({ model, message }))).toEqual([
      { model: "gpt\\u2028x\\u2029y\\u0085z", message: undefined },
      { model: "", message: expect.stringContaining('model "no\\u2028such\\u2029model\\u0085" is not offered here') },
    ]);
  });
});
