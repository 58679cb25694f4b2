import { createServer, type ServerHttp2Stream } from "node:http2";
import type { AddressInfo } from "node:net";
import { create, fromBinary, toBinary } from "@bufbuild/protobuf";
import { StreamTokensRequestSchema, StreamTokensResponseSchema } from "../../gen/tokenwire/v1/token_service_pb.js";
import { bytesFloorStream } from "./bytes-floor.ts";

/**
 * HTTP/2's floor: `StreamTokens` answered over `node:http2` by hand, each
 * token of the physical floor's reader serialized with protobuf-es (as
 * connect-node does) and written as one gRPC message, with no RPC framework.
 * Against the wire floor, what connect-node's own per-call and per-message
 * pipeline costs; against the physical floor, what HTTP/2 and protobuf cost.
 * It speaks only what the bench's gRPC client asks: one request message, no
 * compression, no deadline.
 */
export async function startH2Floor(upstreamUrl: string): Promise<number> {
  const read = bytesFloorStream(upstreamUrl);
  const server = createServer();
  server.on("stream", (stream) => void answer(stream, read));
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  return (server.address() as AddressInfo).port;
}

async function answer(stream: ServerHttp2Stream, read: ReturnType<typeof bytesFloorStream>): Promise<void> {
  const aborted = new AbortController();
  stream.once("close", () => aborted.abort());
  const chunks: Buffer[] = [];
  for await (const chunk of stream) chunks.push(chunk as Buffer);
  // One enveloped message: a flag byte and a 4-byte length before it.
  const request = fromBinary(StreamTokensRequestSchema, Buffer.concat(chunks).subarray(5));
  stream.respond({ ":status": 200, "content-type": "application/grpc" }, { waitForTrailers: true });
  stream.once("wantTrailers", () => stream.sendTrailers({ "grpc-status": "0" }));
  let sequence = 0n;
  try {
    for await (const text of read(request.generation?.model ?? "", aborted.signal)) {
      const message = toBinary(StreamTokensResponseSchema, create(StreamTokensResponseSchema, { sequence: sequence++, event: { case: "delta", value: { text } } }));
      const envelope = Buffer.allocUnsafe(5 + message.length);
      envelope.writeUInt8(0, 0);
      envelope.writeUInt32BE(message.length, 1);
      envelope.set(message, 5);
      if (!stream.write(envelope)) await new Promise((resolve) => stream.once("drain", resolve));
    }
    stream.end();
  } catch {
    if (!stream.destroyed) stream.close();
  }
}
