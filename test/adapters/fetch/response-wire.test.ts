import { describe, expect, it } from "vitest";
import { createClientMethodSerializers } from "@connectrpc/connect/protocol";
import { TokenwireError, type TokenEvent } from "../../../src/index.ts";
import { responseFromTokenEvent } from "../../../src/adapters/connect/token-service.ts";
import { responseWire } from "../../../src/adapters/fetch/response-wire.ts";
import { createRpcCallSink } from "../../../src/adapters/rpc-stream/rpc-call-sink.ts";
import type { StreamProtocol } from "../../../src/adapters/rpc-stream/stream-protocol.ts";
import { TokenService, type StreamTokensResponse } from "../../../gen/tokenwire/v1/token_service_pb.js";
import { collect } from "../../support/collect.ts";
import { frameSinkProtocols, readFrames, runFrameSinkContract, tokenEventsOf } from "../../support/rpc-frames.ts";

const route = { method: TokenService.method.streamTokens, response: responseFromTokenEvent };

/** A `StreamTokens` sink onto a fetch Response, and a client's reading of the Response, which cancels its body when it stops. */
function sinkOnResponse(protocol: StreamProtocol, binary: boolean, options: { highWaterMark?: number; onReturn?: () => void } = {}) {
  const { wire, response } = responseWire();
  const sink = createRpcCallSink<TokenEvent>({ route, protocol, binary, wire, ...options });
  const parse = createClientMethodSerializers(TokenService.method.streamTokens, binary).parse;
  async function* read(): AsyncGenerator<StreamTokensResponse> {
    const reader = (await response).body!.getReader();
    // Relayed through a reader of our own, which can cancel the body however far the frames' reader got.
    const relayed = new ReadableStream<Uint8Array>({ pull: async (out) => void ((next) => (next.done ? out.close() : out.enqueue(next.value)))(await reader.read()) });
    try {
      yield* readFrames(relayed, { protocol: protocol.name, parse });
    } finally {
      await reader.cancel();
    }
  }
  return { sink, read, response };
}

// A fetch Response has no trailers: the fetch handler serves no gRPC.
const protocols = frameSinkProtocols.filter(([, protocol]) => protocol.name !== "grpc");

runFrameSinkContract("onto a fetch Response", protocols, sinkOnResponse);

const started: TokenEvent = { type: "started", seq: 0, runId: "run-1", model: "gpt-test" };

describe("responseWire()", () => {
  it.for(protocols)("should give the Response with the head's status and headers at the first event, over %s", async ([, protocol, binary]) => {
    const { sink, response } = sinkOnResponse(protocol, binary);
    void sink.write(started);
    const head = await response;
    expect(head.status).toBe(200);
    expect(head.headers.get("content-type")).toBe(new Headers(protocol.header(binary, null)).get("content-type"));
    sink.close();
  });

  it.for(protocols)("should give the Response at the end of a stream that failed before any event, with its status, over %s", async ([, protocol, binary]) => {
    const { sink, read } = sinkOnResponse(protocol, binary);
    sink.close(new TokenwireError("resource_exhausted", "too many streams"));
    const { events, error } = await collect(tokenEventsOf(read()));
    expect(events).toEqual([]);
    expect(error).toMatchObject({ code: "resource_exhausted", message: expect.stringContaining("too many streams") });
  });

  it("should fail the Response when the call fails before its head", async () => {
    const { response, fail } = responseWire();
    fail(new Error("the handler's own fault"));
    await expect(response).rejects.toThrow("the handler's own fault");
  });

  it("should refuse trailers, which a fetch Response cannot carry", () => {
    expect(() => responseWire().wire.addTrailers({ "grpc-status": "0" })).toThrow("a fetch Response has no trailers");
  });
});
