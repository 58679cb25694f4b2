import type { ConnectError } from "@connectrpc/connect";
import type { Compression } from "@connectrpc/connect/protocol";
import { headerContentType } from "@connectrpc/connect/protocol-connect";
import type { StreamEnding } from "./frame-sink.ts";

/** What a server-streaming call needs to know of one RPC protocol, from connect's own helpers. */
export interface StreamProtocol {
  /** The protocol's name, as connect names it in a call's context. */
  readonly name: "grpc" | "grpc-web" | "connect";
  /**
   * The codec a request asks for, when its content type is this protocol's
   * streaming one and its HTTP version one the protocol is served on here;
   * undefined otherwise, and for a protocol that needs an HTTP version the
   * server does not tell.
   */
  codecOf(contentType: string | undefined, httpVersionMajor: number | undefined): { binary: boolean } | undefined;
  /** The request headers that name the deadline and the request's and the response's compression. */
  readonly headers: { timeout: string; encoding: string; acceptEncoding: string };
  parseTimeout(value: string | null, maxTimeoutMs: number): { timeoutMs?: number; error?: ConnectError };
  /** The flag of an envelope that ends a request body, which the request's one message may be followed by. */
  readonly requestEndFlag?: number;
  /** The response head: its content type and compression. */
  header(binary: boolean, compression: Compression | null): Record<string, string>;
  /** How a response body ends: the status. */
  readonly ending: StreamEnding;
}

/** The `header` of a protocol: the content type of the codec, and the response's compression under the protocol's header. */
export function streamHeader(contentTypes: { proto: string; json: string }, encodingHeader: string): StreamProtocol["header"] {
  return (binary, compression) => ({
    [headerContentType]: binary ? contentTypes.proto : contentTypes.json,
    ...(compression && { [encodingHeader]: compression.name }),
  });
}
