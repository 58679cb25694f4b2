import * as http from "node:http";
import * as http2 from "node:http2";
import * as https from "node:https";
import { Code, ConnectError } from "@connectrpc/connect";
import type { ServerOptions } from "./parse-cli-args.ts";

// A probe that has no answer by then says nothing: the original error is reported instead.
const probeTimeoutMs = 3000;

const protocolNames = { connect: "Connect", "grpc-web": "gRPC-Web" } as const;

/**
 * When a call failed because the server does not speak the HTTP version its
 * protocol takes here (gRPC needs HTTP/2; `tokenwire ask` sends Connect and
 * gRPC-Web over HTTP/1.1), an `unavailable` error that names the mismatch and
 * the protocols to try; otherwise undefined. Connection-level failures alone
 * (`Protocol error`, `EPIPE`) could mean anything, so the server is asked
 * which HTTP versions it speaks before anything is said.
 */
export async function protocolMismatch(reason: unknown, { protocol, url }: ServerOptions): Promise<ConnectError | undefined> {
  if (!connectionBrokeDown(reason)) return undefined;
  const [h1, h2] = await Promise.all([speaksHttp1(url), speaksHttp2(url)]);
  if (protocol === "grpc" && h1 && !h2) {
    return new ConnectError(`the server at ${url} does not speak HTTP/2, which gRPC needs: try -p connect or -p grpc-web`, Code.Unavailable);
  }
  if (protocol !== "grpc" && h2 && !h1) {
    const name = protocolNames[protocol];
    return new ConnectError(`the server at ${url} speaks HTTP/2 only, and tokenwire ask sends ${name} over HTTP/1.1: try -p grpc`, Code.Unavailable);
  }
  return undefined;
}

// What connect-node reports when the connection, not the call, failed: an HTTP/2 client that got an HTTP/1.1
// answer (ERR_HTTP2_ERROR, "Protocol error"), or an HTTP/1.1 request that an HTTP/2 server hung up on or
// answered with frames (EPIPE, ECONNRESET, the parser's HPE_ codes).
function connectionBrokeDown(reason: unknown): boolean {
  const codes = ["ERR_HTTP2_ERROR", "ERR_HTTP2_SESSION_ERROR", "ERR_HTTP2_STREAM_ERROR", "EPIPE", "ECONNRESET"];
  for (let error = reason; error instanceof Error; error = error.cause) {
    const code: unknown = (error as { code?: unknown }).code; // a ConnectError's code is a number
    if (typeof code === "string" && (codes.includes(code) || code.startsWith("HPE_"))) return true;
  }
  return false;
}

// Any HTTP/1.1 response at all, whatever its status, means the server speaks HTTP/1.1.
function speaksHttp1(url: string): Promise<boolean> {
  return new Promise((resolve) => {
    const request = (url.startsWith("https:") ? https : http).request(url, { method: "HEAD", agent: false, timeout: probeTimeoutMs });
    request.once("response", (response) => {
      response.resume();
      request.destroy();
      resolve(true);
    });
    request.once("timeout", () => request.destroy());
    request.once("error", () => resolve(false));
    request.end();
  });
}

// The server's SETTINGS frame means it speaks HTTP/2.
function speaksHttp2(url: string): Promise<boolean> {
  return new Promise((resolve) => {
    const session = http2.connect(url);
    session.once("remoteSettings", () => {
      session.destroy();
      resolve(true);
    });
    session.setTimeout(probeTimeoutMs, () => session.destroy());
    session.once("error", () => resolve(false));
    session.once("close", () => resolve(false));
  });
}
