import { create, toBinary, type MessageInitShape } from "@bufbuild/protobuf";
import { StreamTokensRequestSchema } from "../../gen/tokenwire/v1/token_service_pb.js";

/** The headers of a `StreamTokens` call over gRPC, for a test that writes the HTTP/2 stream itself. */
export const grpcStreamTokensHeaders = { ":method": "POST", ":path": "/tokenwire.v1.TokenService/StreamTokens", "content-type": "application/grpc", te: "trailers" };

/** A `StreamTokens` request as one gRPC message on the wire: a flag byte, the length, then the message. */
export function grpcFrame(request: MessageInitShape<typeof StreamTokensRequestSchema>): Buffer {
  const message = toBinary(StreamTokensRequestSchema, create(StreamTokensRequestSchema, request));
  const frame = Buffer.alloc(5 + message.length);
  frame.writeUInt32BE(message.length, 1);
  frame.set(message, 5);
  return frame;
}
