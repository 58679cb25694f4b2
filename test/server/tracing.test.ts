import { randomBytes } from "node:crypto";
import { afterEach, describe, expect, it } from "vitest";
import { createClient } from "@connectrpc/connect";
import { createConnectTransport, createGrpcTransport } from "@connectrpc/connect-node";
import { TokenService } from "../../gen/tokenwire/v1/token_service_pb.js";
import { defaultTokens, startFakeOpenAI, type FakeOpenAI } from "../fixtures/fake-openai.ts";
import { startOtlpReceiver, type OtlpReceiver } from "../fixtures/otlp-receiver.ts";
import { startTokenwireProcess, type TokenwireProcess } from "../fixtures/tokenwire-process.ts";
import { drain } from "../support/read-stream.ts";
import { ask } from "../support/ask.ts";

let upstream: FakeOpenAI | undefined;
let receiver: OtlpReceiver | undefined;
let server: TokenwireProcess | undefined;
afterEach(async () => {
  await server?.stop();
  await upstream?.close();
  await receiver?.close();
  server = upstream = receiver = undefined;
});

/** A caller's own trace: a fresh trace id and the id of the caller's span, as a `traceparent` carries them. */
function callerTrace() {
  const traceId = randomBytes(16).toString("hex");
  const spanId = randomBytes(8).toString("hex");
  return { traceId, spanId, traceparent: `00-${traceId}-${spanId}-01` };
}


/** The `parent-id` field of a `traceparent`. */
const parentIdOf = (traceparent: string | undefined) => traceparent?.split("-")[2];

describe("tracing on npm start", () => {
  it("should send one span per stream to the OTLP collector under the caller's trace, and carry that trace to the model server", async () => {
    [upstream, receiver] = await Promise.all([startFakeOpenAI(), startOtlpReceiver()]);
    server = await startTokenwireProcess({
      upstreamUrl: upstream.url,
      models: ["gpt-test", "status-429"],
      env: {
        OTEL_EXPORTER_OTLP_ENDPOINT: receiver.url,
        OTEL_EXPORTER_OTLP_PROTOCOL: "http/json",
        OTEL_SERVICE_NAME: "tokenwire-under-test",
        OTEL_BSP_SCHEDULE_DELAY: "50",
      },
    });
    // The line after the one that says where it listens.
    await expect.poll(() => server!.output.join("\n")).toContain(`"tracing":{"endpoint":"${receiver.url}","protocol":"http/json"}`);
    const grpc = createClient(TokenService, createGrpcTransport({ baseUrl: server.url }));
    const connect = createClient(TokenService, createConnectTransport({ baseUrl: server.url, httpVersion: "1.1" }));
    const [overGrpc, overConnect, failing] = [callerTrace(), callerTrace(), callerTrace()];
    expect((await drain(grpc.streamTokens(ask("gpt-test"), { headers: { traceparent: overGrpc.traceparent } }))).error).toBeUndefined();
    expect((await drain(connect.streamTokens(ask("gpt-test"), { headers: { traceparent: overConnect.traceparent } }))).error).toBeUndefined();
    expect((await drain(grpc.streamTokens(ask("status-429"), { headers: { traceparent: failing.traceparent } }))).error?.rawMessage).toContain("rate limited");

    await expect.poll(() => receiver!.spans.length).toBeGreaterThanOrEqual(3);
    expect(new Set(receiver.contentTypes)).toEqual(new Set(["application/json"]));
    for (const [caller, protocol] of [[overGrpc, "grpc"], [overConnect, "connect"]] as const) {
      const spans = receiver.spans.filter((span) => span.traceId === caller.traceId);
      expect(spans).toHaveLength(1);
      const [span] = spans;
      expect(span).toMatchObject({
        parentSpanId: caller.spanId,
        name: "tokenwire.v1.TokenService/StreamTokens",
        kind: 2, // SERVER
        serviceName: "tokenwire-under-test",
        attributes: {
          "tokenwire.protocol": protocol,
          "tokenwire.method": "tokenwire.v1.TokenService/StreamTokens",
          "tokenwire.stream.kind": "generation",
          "gen_ai.request.model": "gpt-test",
          "gen_ai.usage.input_tokens": 7,
          "gen_ai.usage.output_tokens": defaultTokens.length,
          "gen_ai.response.finish_reasons": ["stop"],
          "tokenwire.tokens": defaultTokens.length,
          "tokenwire.status": "ok",
        },
      });
      expect(span!.attributes["tokenwire.time_to_first_token_ms"]).toEqual(expect.any(Number));
      expect(span!.status.code ?? 0).toBe(0); // UNSET
      // The model server's request is a child of tokenwire's span, in the caller's trace.
      const request = upstream.requests.find((r) => r.traceparent?.includes(caller.traceId));
      expect(parentIdOf(request?.traceparent)).toBe(span!.spanId);
    }
    const [failed] = receiver.spans.filter((span) => span.traceId === failing.traceId);
    expect(failed).toMatchObject({ status: { code: 2 }, attributes: { "tokenwire.status": "resource_exhausted", "error.type": "resource_exhausted" } });
    expect(failed!.status.message).toContain("rate limited");
  });

  it("should load no SDK and add no trace header when no endpoint is configured", async () => {
    upstream = await startFakeOpenAI();
    server = await startTokenwireProcess({ upstreamUrl: upstream.url, models: ["gpt-test"] });
    const grpc = createClient(TokenService, createGrpcTransport({ baseUrl: server.url }));
    expect((await drain(grpc.streamTokens(ask("gpt-test"), { headers: { traceparent: callerTrace().traceparent } }))).error).toBeUndefined();
    expect(upstream.requests).toHaveLength(1);
    expect(upstream.requests[0]!.traceparent).toBeUndefined();
    expect(server.output.join("\n")).not.toContain("tracing");
  });
});
