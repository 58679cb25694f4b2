import {
  contentTypeStreamJson,
  contentTypeStreamProto,
  createEndStreamSerialization,
  endStreamFlag,
  headerStreamAcceptEncoding,
  headerStreamEncoding,
  headerTimeout,
  parseContentType,
  parseTimeout,
} from "@connectrpc/connect/protocol-connect";
import { streamHeader, type StreamProtocol } from "./stream-protocol.ts";

const endStream = createEndStreamSerialization(undefined);

/** Connect's streaming protocol: the status in an end-stream message, error JSON and all. */
export const connectProtocol: StreamProtocol = {
  name: "connect",
  codecOf(contentType) {
    const type = parseContentType(contentType ?? null);
    return type?.stream ? type : undefined;
  },
  headers: { timeout: headerTimeout, encoding: headerStreamEncoding, acceptEncoding: headerStreamAcceptEncoding },
  parseTimeout,
  requestEndFlag: endStreamFlag,
  header: streamHeader({ proto: contentTypeStreamProto, json: contentTypeStreamJson }, headerStreamEncoding),
  ending: (_wire, error) => ({ flags: endStreamFlag, data: endStream.serialize({ metadata: new Headers(), error }) }),
};
