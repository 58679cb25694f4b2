import { expect, it } from "vitest";
import { Code } from "@connectrpc/connect";
import { encodeEnvelope } from "@connectrpc/connect/protocol";
import * as grpc from "@connectrpc/connect/protocol-grpc";
import * as grpcWeb from "@connectrpc/connect/protocol-grpc-web";
import * as connect from "@connectrpc/connect/protocol-connect";
import { defaultTokens, type FakeOpenAI } from "../fixtures/fake-openai.ts";
import type { Answered, RpcWay } from "./rpc-frames.ts";
import { deltaTextOf } from "./stream-text.ts";

/** How a wire's tests send one `StreamTokens` request for a model, read to its end. */
export type StreamTokensCall = (model: string, options?: { timeoutMs?: number }) => Promise<Answered>;

/**
 * What every wire of the frame sinks owes a `StreamTokens` call, for one way
 * of calling: a whole stream in the protocol's content type, a failed
 * upstream's status after its events, and a deadline that ends the call and
 * the upstream's connection.
 */
export function streamTokensCases(way: RpcWay, { call, upstream }: { call: StreamTokensCall; upstream: () => FakeOpenAI }): void {
  it("should stream started, the deltas and finished, with the protocol's content type, and end well", async () => {
    const answered = await call("gpt-test");
    expect(answered.error).toBeUndefined();
    expect(answered.status).toBe(200);
    expect({ grpc, "grpc-web": grpcWeb, connect }[way.protocol].parseContentType(answered.header.get("content-type"))).toMatchObject({ binary: way.binary });
    expect(answered.responses[0]?.event.case).toBe("started");
    expect(answered.responses.at(-1)?.event.case).toBe("finished");
    expect(deltaTextOf(answered.responses)).toBe(defaultTokens.join(""));
  });

  it("should end a failed upstream with its status, after the events before it", async () => {
    const answered = await call("reset-after-3");
    // A reset may drop tokens still in flight: what arrived is a prefix of the three sent.
    expect(defaultTokens.slice(0, 3).join("").startsWith(deltaTextOf(answered.responses))).toBe(true);
    expect(answered.responses[0]?.event.case).toBe("started");
    expect(answered.error?.code).toBe(Code.Unavailable);
  });

  it("should end a stalled stream at its deadline with deadline_exceeded, and close the upstream connection", async () => {
    const arrived = upstream().nextRequest();
    const answered = await call("stall-after-2", { timeoutMs: 300 });
    expect(answered.error?.code).toBe(Code.DeadlineExceeded);
    expect(await (await arrived).ended).toBe("client-closed");
  });
}

/** Request bodies that hold no one readable `StreamTokens` message, by what is wrong with them. */
export const malformedBodies: (readonly [string, Uint8Array])[] = [
  ["no message", new Uint8Array(0)],
  ["two messages", new Uint8Array([0, 0, 0, 0, 0, 0, 0, 0, 0, 0])],
  ["a cut envelope", new Uint8Array([0, 0, 0, 0, 9, 1])],
  ["bytes that are not the message", new Uint8Array([0, 0, 0, 0, 2, 0xff, 0xff])],
  ["a compressed envelope with no compression named", new Uint8Array([1, 0, 0, 0, 1, 0])],
  ["a message past readMaxBytes", encodeEnvelope(0, new Uint8Array(2 * 1024 * 1024))],
];
