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
