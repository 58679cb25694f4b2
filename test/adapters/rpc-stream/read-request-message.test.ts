import { create, toBinary } from "@bufbuild/protobuf";
import { Code, ConnectError } from "@connectrpc/connect";
import { createMethodSerializationLookup, encodeEnvelope, encodeEnvelopes } from "@connectrpc/connect/protocol";
import { endStreamFlag } from "@connectrpc/connect/protocol-connect";
import { describe, expect, it } from "vitest";
import { StreamTokensRequestSchema, TokenService } from "../../../gen/tokenwire/v1/token_service_pb.js";
import { readRequestMessage } from "../../../src/adapters/rpc-stream/read-request-message.ts";

const limits = { readMaxBytes: 1024, writeMaxBytes: 1024, compressMinBytes: 1024 };
const serialization = createMethodSerializationLookup(TokenService.method.streamTokens, undefined, undefined, limits).getI(true);
const request = create(StreamTokensRequestSchema, { generation: { input: { case: "prompt", value: "hi" }, model: "m" } });
const message = encodeEnvelope(0, toBinary(StreamTokensRequestSchema, request));
const read = (body: AsyncIterable<Uint8Array>, endFlag?: number) => readRequestMessage(body, { readMaxBytes: limits.readMaxBytes, compression: null, serialization, endFlag });

async function* inPieces(bytes: Uint8Array, size: number) {
  for (let at = 0; at < bytes.byteLength; at += size) yield bytes.subarray(at, at + size);
}

describe("readRequestMessage()", () => {
  it("should read a message that arrives a byte at a time", async () => {
    expect((await read(inPieces(message, 1))).generation?.model).toBe("m");
  });

  it("should skip the protocol's end-stream envelope after the message", async () => {
    const body = encodeEnvelopes({ flags: 0, data: message.subarray(5) }, { flags: endStreamFlag, data: new TextEncoder().encode("{}") });
    expect((await read(inPieces(body, 3), endStreamFlag)).generation?.model).toBe("m");
  });

  it("should refuse a second message that arrives split across reads", async () => {
    const body = encodeEnvelopes({ flags: 0, data: message.subarray(5) }, { flags: 0, data: message.subarray(5) });
    await expect(read(inPieces(body, 4))).rejects.toMatchObject({ code: Code.Unimplemented, rawMessage: expect.stringContaining("extra input message") });
  });

  it("should refuse a message past readMaxBytes from its head, without waiting for the rest", async () => {
    // The rest never comes: only a refusal from the head settles this read.
    async function* headOnly() {
      yield encodeEnvelope(0, new Uint8Array(0)).fill(0xff, 1);
      await new Promise(() => {});
    }
    const refused = await read(headOnly()).catch((error: unknown) => error);
    expect(refused).toBeInstanceOf(ConnectError);
    expect(refused).toMatchObject({ code: Code.ResourceExhausted, rawMessage: `message size ${0xffffffff} is larger than configured readMaxBytes 1024` });
  });

  it("should refuse a body that ends inside an envelope", async () => {
    await expect(read(inPieces(message.subarray(0, message.byteLength - 1), 2))).rejects.toMatchObject({ code: Code.InvalidArgument, rawMessage: "protocol error: incomplete envelope" });
  });
});
