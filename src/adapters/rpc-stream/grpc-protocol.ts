import {
  contentTypeJson,
  contentTypeProto,
  headerAcceptEncoding,
  headerEncoding,
  headerTimeout,
  parseContentType,
  parseTimeout,
  setTrailerStatus,
} from "@connectrpc/connect/protocol-grpc";
import { streamHeader, type StreamProtocol } from "./stream-protocol.ts";

/** gRPC over HTTP/2: the status in the trailers. HTTP/1.1, which needs chunked trailers, is left to connect-node. */
export const grpcProtocol: StreamProtocol = {
  name: "grpc",
  codecOf: (contentType, httpVersionMajor) => (httpVersionMajor === 2 ? parseContentType(contentType ?? null) : undefined),
  headers: { timeout: headerTimeout, encoding: headerEncoding, acceptEncoding: headerAcceptEncoding },
  parseTimeout,
  header: streamHeader({ proto: contentTypeProto, json: contentTypeJson }, headerEncoding),
  ending: (wire, error) => {
    const trailers: Record<string, string> = {};
    setTrailerStatus(new Headers(), error).forEach((value, name) => (trailers[name] = value));
    wire.addTrailers(trailers);
    return undefined;
  },
};
