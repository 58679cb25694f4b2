import * as http2 from "node:http2";
import { describe, expect, it } from "vitest";
import { Code, createClient } from "@connectrpc/connect";
import { TokenService } from "../../../gen/tokenwire/v1/token_service_pb.js";
import { defaultTokens } from "../../fixtures/fake-openai.ts";
import { openSocket } from "../../support/raw-socket.ts";
import { streamOutcome } from "../../support/stream-text.ts";
import { transportsTo, useTokenwireServer } from "../../support/tokenwire-test-server.ts";
import { grpcFrame, grpcStreamTokensHeaders } from "../../support/grpc-frame.ts";
import { ask } from "../../support/ask.ts";

// Bytes no well-behaved client sends, on the one-port server: each is refused or closed, and the server serves on.
const test = useTokenwireServer();
const path = "/tokenwire.v1.TokenService/StreamTokens";

/** Sends raw HTTP/1.1 bytes on a new connection and resolves with all the server answered before it closed. */
async function exchange(bytes: string): Promise<string> {
  const raw = await openSocket(test.current.baseUrl);
  raw.socket.write(bytes, "latin1");
  await raw.closed;
  return raw.received();
}

async function servesOn(): Promise<void> {
  const [, grpc] = transportsTo(() => test.current.baseUrl)[2]!;
  expect(await streamOutcome(createClient(TokenService, grpc()).streamTokens(ask("gpt-test")))).toEqual({ text: defaultTokens.join(""), code: undefined });
}

describe("createOnePortServer() against malformed HTTP/1.1", () => {
  it.for([
    ["Content-Length with Transfer-Encoding (request smuggling)", `POST ${path} HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\nContent-Length: 4\r\nTransfer-Encoding: chunked\r\n\r\n0\r\n\r\n`, 400],
    ["two Content-Length values", `POST ${path} HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\nContent-Length: 2\r\nContent-Length: 3\r\n\r\n{}`, 400],
    ["a header name with a space", `GET /healthz HTTP/1.1\r\nHost: x\r\nBad Header: 1\r\n\r\n`, 400],
    ["a request line that is not HTTP", "HELLO\r\n\r\n", 400],
    ["headers past 16 KiB", `GET /healthz HTTP/1.1\r\nHost: x\r\nX-Big: ${"a".repeat(17 * 1024)}\r\n\r\n`, 431],
    ["HTTP/1.0 with no Host", `POST ${path} HTTP/1.0\r\nContent-Type: application/json\r\nContent-Length: 2\r\n\r\n{}`, 400],
  ] as const)("should answer %s with its status and close", async ([, bytes, status]) => {
    expect(await exchange(bytes)).toMatch(new RegExp(`^HTTP/1\\.1 ${status} `));
    await servesOn();
  });
});

describe("createOnePortServer() against HTTP/2 abuse", () => {
  it("should take a rapid reset of 500 streams on one session, leave no stream behind, and serve on", async () => {
    const session = http2.connect(test.current.baseUrl);
    session.on("error", () => {}); // Node may end such a session with ENHANCE_YOUR_CALM
    for (let i = 0; i < 500 && !session.destroyed; i++) {
      const stream = session.request(grpcStreamTokensHeaders);
      stream.on("error", () => {});
      stream.end(grpcFrame(ask("paced-50")));
      stream.close(http2.constants.NGHTTP2_CANCEL);
    }
    session.destroy();
    await test.current.settled();
    await servesOn();
  });

  it("should free a stream whose reader opened no flow-control window at all, once it goes away", async () => {
    const session = http2.connect(test.current.baseUrl, { settings: { initialWindowSize: 0 } });
    const arrived = test.current.upstream.nextRequest();
    const stream = session.request(grpcStreamTokensHeaders);
    stream.on("error", () => {});
    stream.end(grpcFrame(ask("long-200000")));
    const request = await arrived;
    session.destroy();
    expect(await request.ended).toBe("client-closed");
    await test.current.settled();
  });

  it.for([
    ["grpc-timeout", "1X"],
    ["grpc-timeout", "123456789S"],
    ["grpc-timeout", "-1S"],
  ] as const)("should refuse %s: %s as invalid_argument", async ([header, value]) => {
    const [, grpc] = transportsTo(() => test.current.baseUrl)[2]!;
    const outcome = await streamOutcome(createClient(TokenService, grpc()).streamTokens(ask("gpt-test"), { headers: { [header]: value } }));
    expect(outcome.code).toBe(Code.InvalidArgument);
  });

  it.for(["abc", "12345678901", "-5"])("should refuse connect-timeout-ms: %s as invalid_argument", async (value) => {
    const [, connect] = transportsTo(() => test.current.baseUrl)[0]!;
    const outcome = await streamOutcome(createClient(TokenService, connect()).streamTokens(ask("gpt-test"), { headers: { "connect-timeout-ms": value } }));
    expect(outcome.code).toBe(Code.InvalidArgument);
  });
});

describe("tokenwireNodeHandler() against a content type no protocol takes", () => {
  it.each(["text/plain", "application/grpc+xml", "application/x-www-form-urlencoded"])("should answer %s with 415 and Connect's error JSON saying what to send", async (contentType) => {
    const logged = test.current.logs().length;
    const response = await fetch(`${test.current.baseUrl}${path}`, { method: "POST", headers: { "content-type": contentType }, body: "{}" });
    expect(response.status).toBe(415);
    expect(response.headers.get("content-type")).toBe("application/json");
    const taken = "Connect's application/json or application/proto or gRPC's application/grpc or gRPC-Web's application/grpc-web";
    expect(await response.json()).toEqual({ code: "invalid_argument", message: `the content type ${contentType} is not one this route takes (send ${taken})` });
    expect(test.current.logs().length).toBe(logged);
    await servesOn();
  });
});
