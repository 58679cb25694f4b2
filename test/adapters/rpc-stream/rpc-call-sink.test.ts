import { PassThrough, Readable } from "node:stream";
import { describe, expect, it } from "vitest";
import { createClientMethodSerializers } from "@connectrpc/connect/protocol";
import { compressionGzip } from "@connectrpc/connect-node";
import { TokenwireError, type TokenEvent } from "../../../src/index.ts";
import { connectCodes } from "../../../src/adapters/connect/connect-error-from.ts";
import { responseFromTokenEvent } from "../../../src/adapters/connect/token-service.ts";
import { grpcWebProtocol } from "../../../src/adapters/rpc-stream/grpc-web-protocol.ts";
import { createRpcCallSink, type RpcCallSinkOptions } from "../../../src/adapters/rpc-stream/rpc-call-sink.ts";
import type { StreamProtocol } from "../../../src/adapters/rpc-stream/stream-protocol.ts";
import { Chatgpt } from "../../../gen/openai/chatgpt_pb.js";
import { TokenService, type StreamTokensResponse } from "../../../gen/tokenwire/v1/token_service_pb.js";
import { collect } from "../../support/collect.ts";
import { frameSinkProtocols, readFrames, runFrameSinkContract, tokenEventsOf } from "../../support/rpc-frames.ts";

const streamTokens = { method: TokenService.method.streamTokens, response: responseFromTokenEvent };

/**
 * A response that holds what it is given until it is read, as a socket whose
 * peer does not read: one envelope fills it. The head and gRPC's trailers are kept.
 */
function heldWire() {
  const body = new PassThrough({ highWaterMark: 1 });
  const head: Record<string, string>[] = [];
  const trailers = new Headers();
  const wire = Object.assign(body, {
    writeHead: (_status: number, headers: Record<string, string>) => head.push({ ...headers }),
    addTrailers: (added: Record<string, string>) => Object.entries(added).forEach(([name, value]) => trailers.set(name, value)),
  });
  return { wire, body, head, trailers };
}

/** A sink of `StreamTokens` on a held wire, and the client's reading of what it wrote. */
function sinkOnWire(protocol: StreamProtocol, binary: boolean, options: Partial<RpcCallSinkOptions<TokenEvent>> = {}) {
  const { wire, body, head, trailers } = heldWire();
  const sink = createRpcCallSink<TokenEvent>({ route: streamTokens, protocol, binary, wire, ...options });
  const client = createClientMethodSerializers(TokenService.method.streamTokens, binary);
  // A client that stops reading closes its connection: the wire goes.
  async function* read(): AsyncGenerator<StreamTokensResponse> {
    try {
      yield* readFrames(Readable.toWeb(body) as ReadableStream<Uint8Array>, { protocol: protocol.name, parse: client.parse, trailers: () => trailers, compression: compressionGzip });
    } finally {
      body.destroy();
    }
  }
  return { sink, read, head, body };
}

const protocols = frameSinkProtocols;

runFrameSinkContract("onto a node response", protocols, sinkOnWire);

const started: TokenEvent = { type: "started", seq: 0, runId: "run-1", model: "gpt-test" };
const delta = (seq: number, text: string): TokenEvent => ({ type: "delta", seq, text });

describe("createRpcCallSink", () => {
  it.for(protocols)("should send the head with the first event at once, over %s", ([, protocol, binary]) => {
    const { sink, head, body } = sinkOnWire(protocol, binary);
    void sink.write(started);
    expect(head).toEqual([protocol.header(binary, null)]);
    expect(body.readableLength).toBeGreaterThan(0);
  });

  it.for(protocols)("should compress the messages that reach the least size, and name the compression in the head, over %s", async ([, protocol, binary]) => {
    const { sink, read, head } = sinkOnWire(protocol, binary, { compression: compressionGzip, compressMinBytes: 64 });
    const long = "x".repeat(1000);
    for (const event of [started, delta(1, "a"), delta(2, long)]) void sink.write(event);
    sink.close();
    const { events, error } = await collect(tokenEventsOf(read()));
    expect(error).toBeUndefined();
    expect(events.map((event) => (event.type === "delta" ? event.text : event.type))).toEqual(["started", `a${long}`]);
    expect(Object.values(head[0]!)).toContain("gzip");
  });

  it.for(protocols)("should end with the status of a failure that comes before any event, over %s", async ([, protocol, binary]) => {
    const { sink, read, head } = sinkOnWire(protocol, binary);
    sink.close(new TokenwireError("resource_exhausted", "too many streams", { retryAfterMs: 1500 }));
    const { events, error } = await collect(read());
    expect(events).toEqual([]);
    expect(head).toHaveLength(1);
    expect(error).toMatchObject({ code: connectCodes.resource_exhausted, rawMessage: "too many streams" });
    // google.rpc.RetryInfo travels as the status's detail.
    expect((error as unknown as { details: { type: string }[] }).details.map((detail) => detail.type)).toEqual(["google.rpc.RetryInfo"]);
  });

  it("should send the seed's Answer.error before the status, and the run's id in the head", async () => {
    const { wire, body, head } = heldWire();
    const send = { method: Chatgpt.method.send, response: (event: TokenEvent) => (event.type === "delta" ? { content: event.text } : undefined) };
    const sink = createRpcCallSink<TokenEvent>({
      route: { ...send, headerOf: (event) => (event.type === "started" ? { "tokenwire-run-id": event.runId } : undefined), failure: (error) => ({ error: error.rawMessage }) },
      protocol: grpcWebProtocol,
      binary: true,
      wire,
    });
    for (const event of [started, delta(1, "Hel"), delta(2, "lo")]) void sink.write(event);
    sink.close(new TokenwireError("unavailable", "the upstream went away"));
    const client = createClientMethodSerializers(Chatgpt.method.send, true);
    const { events, error } = await collect(readFrames(Readable.toWeb(body) as ReadableStream<Uint8Array>, { protocol: "grpc-web", parse: client.parse }));
    expect(head[0]).toMatchObject({ "tokenwire-run-id": "run-1" });
    expect(events.map(({ content, error }) => ({ content, error }))).toEqual([
      { content: "Hello", error: "" },
      { content: "", error: "the upstream went away" },
    ]);
    expect(error).toMatchObject({ code: connectCodes.unavailable });
  });
});
