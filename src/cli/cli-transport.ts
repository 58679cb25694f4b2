import type { Interceptor, Transport } from "@connectrpc/connect";
import { createConnectTransport, createGrpcTransport, createGrpcWebTransport } from "@connectrpc/connect-node";
import type { ServerOptions } from "./parse-cli-args.ts";

/**
 * A connect-node transport for one protocol, which sends the API key, when
 * there is one, as `authorization: Bearer <key>` on every call. gRPC needs
 * HTTP/2; Connect and gRPC-Web use HTTP/1.1, which any proxy in between is sure to pass.
 */
export function createCliTransport({ protocol, url, apiKey }: ServerOptions): Transport {
  const options = { baseUrl: url, interceptors: apiKey === undefined ? [] : [bearer(apiKey)] };
  switch (protocol) {
    case "grpc":
      return createGrpcTransport(options);
    case "grpc-web":
      return createGrpcWebTransport({ ...options, httpVersion: "1.1" });
    case "connect":
      return createConnectTransport({ ...options, httpVersion: "1.1" });
  }
}

function bearer(apiKey: string): Interceptor {
  return (next) => (request) => {
    request.header.set("authorization", `Bearer ${apiKey}`);
    return next(request);
  };
}
