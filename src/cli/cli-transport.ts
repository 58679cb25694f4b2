import type { Transport } from "@connectrpc/connect";
import { createConnectTransport, createGrpcTransport, createGrpcWebTransport } from "@connectrpc/connect-node";
import type { Protocol } from "./parse-cli-args.ts";

/** Options of {@link createCliTransport}. */
export interface CliTransportOptions {
  protocol: Protocol;
  url: string;
}

/**
 * A connect-node transport for one protocol. gRPC needs HTTP/2; Connect and
 * gRPC-Web use HTTP/1.1, which any proxy in between is sure to pass.
 */
export function createCliTransport({ protocol, url }: CliTransportOptions): Transport {
  switch (protocol) {
    case "grpc":
      return createGrpcTransport({ baseUrl: url });
    case "grpc-web":
      return createGrpcWebTransport({ baseUrl: url, httpVersion: "1.1" });
    case "connect":
      return createConnectTransport({ baseUrl: url, httpVersion: "1.1" });
  }
}
