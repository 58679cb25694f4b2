import { contentTypeJson, contentTypeProto, headerEncoding, parseContentType, setTrailerStatus, trailerFlag, trailerSerialize } from "@connectrpc/connect/protocol-grpc-web";
import { grpcProtocol } from "./grpc-protocol.ts";
import { streamHeader, type StreamProtocol } from "./stream-protocol.ts";

/** gRPC-Web, binary (not the base64 text form), on either HTTP: gRPC's headers, and the status in a trailer frame ending the body. */
export const grpcWebProtocol: StreamProtocol = {
  ...grpcProtocol,
  name: "grpc-web",
  codecOf(contentType) {
    const type = parseContentType(contentType ?? null);
    return type && !type.text ? type : undefined;
  },
  requestEndFlag: trailerFlag,
  header: streamHeader({ proto: contentTypeProto, json: contentTypeJson }, headerEncoding),
  ending: (_wire, error) => ({ flags: trailerFlag, data: trailerSerialize(setTrailerStatus(new Headers(), error)) }),
};
