import { createHash } from "node:crypto";
import { describe, expect, it } from "vitest";
import { createClient, type Client } from "@connectrpc/connect";
import { createConnectTransport, createGrpcTransport } from "@connectrpc/connect-node";
import { TokenService } from "../../gen/tokenwire/v1/token_service_pb.js";
import { apiKeyAuthenticator } from "../../src/server/api-keys.ts";
import { defaultTokens } from "../fixtures/fake-openai.ts";
import { parsePrometheusText, type Scrape } from "../support/prometheus-text.ts";
import { useTokenwireServer, type TestServer } from "../support/tokenwire-test-server.ts";
import { holdStream } from "../support/hold-stream.ts";
import { drain, streamIdOf } from "../support/read-stream.ts";
import { ask as prompt } from "../support/ask.ts";

const aliceKey = "tw-alice-metrics-key";
const keys = apiKeyAuthenticator([{ name: "alice", keySha256: createHash("sha256").update(aliceKey).digest("hex") }]);
const server = useTokenwireServer({ authenticate: keys.authenticate, limiter: keys.limiter, metrics: { callers: keys.callers } });
const asAlice = { headers: { authorization: `Bearer ${aliceKey}` } };

/** `GET /metrics` over HTTP, parsed strictly. */
async function scrape(on: TestServer): Promise<Scrape> {
  const response = await fetch(`${on.baseUrl}/metrics`);
  expect(response.status).toBe(200);
  expect(response.headers.get("content-type")).toMatch(/^text\/plain; version=0\.0\.4/);
  return parsePrometheusText(await response.text());
}

describe("GET /metrics", () => {
  it("should count streams, tokens, usage, upstream failures, resumes and stops, as real streams left them", async () => {
    const grpc: Client<typeof TokenService> = createClient(TokenService, createGrpcTransport({ baseUrl: server.current.baseUrl }));
    const connect: Client<typeof TokenService> = createClient(TokenService, createConnectTransport({ baseUrl: server.current.baseUrl, httpVersion: "1.1" }));
    for (let i = 0; i < 2; i++) await drain(grpc.streamTokens(prompt("gpt-test"), asAlice));
    await drain(grpc.streamTokens(prompt("gpt-test")));
    await drain(connect.streamTokens(prompt("status-429"), asAlice));
    const whole = await drain(connect.streamTokens(prompt("gpt-test", true), asAlice));
    await drain(connect.resumeStream({ streamId: streamIdOf(whole.responses), afterSequence: 0n }, asAlice));
    const held = await holdStream(connect, { ...asAlice, resumable: true });
    expect((await connect.stopStream({ streamId: held.streamId }, asAlice)).stopped).toBe(true);
    await held.release();
    await server.current.settled();

    const metrics = await scrape(server.current);
    const generation = { kind: "generation" };
    expect(metrics.value("tokenwire_streams_started_total", { ...generation, protocol: "grpc" })).toBe(3);
    expect(metrics.value("tokenwire_streams_ended_total", { ...generation, protocol: "grpc", caller: "alice", code: "ok" })).toBe(2);
    expect(metrics.value("tokenwire_streams_ended_total", { ...generation, protocol: "grpc", caller: "anonymous", code: "unauthenticated" })).toBe(1);
    expect(metrics.value("tokenwire_streams_ended_total", { ...generation, protocol: "connect", caller: "alice", code: "resource_exhausted" })).toBe(1);
    // A resumable stream is one generation, its first reader part of it; a resume is a read of its own.
    expect(metrics.value("tokenwire_streams_started_total", { ...generation, protocol: "connect" })).toBe(3);
    expect(metrics.value("tokenwire_streams_started_total", { kind: "read", protocol: "connect" })).toBe(1);
    for (const kind of ["generation", "read"]) expect(metrics.value("tokenwire_streams_open", { kind })).toBe(0);
    // Three generations of gpt-test reported their usage: the two plain streams and the resumable one, not its readers.
    expect(metrics.value("tokenwire_usage_tokens_total", { model: "gpt-test", caller: "alice", type: "output" })).toBe(3 * defaultTokens.length);
    expect(metrics.value("tokenwire_usage_tokens_total", { model: "gpt-test", caller: "alice", type: "input" })).toBe(3 * 7);
    expect(metrics.value("tokenwire_tokens_out_total", { model: "gpt-test" })).toBe(3 * defaultTokens.length);
    expect(metrics.value("tokenwire_time_to_first_token_seconds_count", { model: "gpt-test" })).toBe(3);
    expect(metrics.value("tokenwire_inter_token_gap_seconds_count", { model: "gpt-test" })).toBe(3);
    expect(metrics.value("tokenwire_time_to_first_token_seconds_bucket", { model: "gpt-test", le: "+Inf" })).toBe(3);
    // Model names the server does not offer are folded: no label per name a caller makes up.
    expect(metrics.value("tokenwire_time_to_first_token_seconds_count", { model: "other" })).toBe(1);
    expect(metrics.samples.some((s) => s.labels.model === "status-429" || s.labels.model === "stall-after-3")).toBe(false);
    expect(metrics.value("tokenwire_upstream_failures_total", { status: "429" })).toBe(1);
    expect(metrics.value("tokenwire_resumes_total")).toBe(1);
    expect(metrics.value("tokenwire_stops_total")).toBe(1);
    expect(metrics.types.get("tokenwire_time_to_first_token_seconds")).toBe("histogram");
  });
});
