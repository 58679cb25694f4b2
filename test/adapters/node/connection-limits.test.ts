import { mkdtempSync, readFileSync } from "node:fs";
import * as http2 from "node:http2";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createClient } from "@connectrpc/connect";
import { TokenService } from "../../../gen/tokenwire/v1/token_service_pb.js";
import { serverConfigFromEnv } from "../../../src/config/server-config.ts";
import { defaultTokens } from "../../fixtures/fake-openai.ts";
import { streamOutcome } from "../../support/stream-text.ts";
import { selfSignedCert } from "../../fixtures/self-signed-cert.ts";
import { dribble, openSocket, type RawSocketOptions } from "../../support/raw-socket.ts";
import { startTokenwireServer, transportsTo, type TestServer } from "../../support/tokenwire-test-server.ts";
import { grpcStreamTokensHeaders } from "../../support/grpc-frame.ts";
import { ask } from "../../support/ask.ts";

// Short limits, so that each close comes within a second; the streams below outlast them.
const limits = { headersTimeoutMs: 500, requestTimeoutMs: 700, idleTimeoutMs: 300 };
const preface = "PRI * HTTP/2.0\r\n\r\nSM\r\n\r\n";
const slowRequest = "GET /healthz HTTP/1.1\r\nHost: 127.0.0.1\r\nUser-Agent: one-byte-at-a-time\r\n\r\n";

const { cert, key } = selfSignedCert(mkdtempSync(join(tmpdir(), "tokenwire-limits-")));
const ca = readFileSync(cert);
let plain: TestServer;
let secure: TestServer;
beforeAll(async () => {
  plain = await startTokenwireServer(limits);
  secure = await startTokenwireServer({ ...limits, tls: serverConfigFromEnv({ TLS_CERT_FILE: cert, TLS_KEY_FILE: key }).tls });
});
afterAll(() => Promise.all([plain.close(), secure.close()]));

describe.each([
  ["plain text", () => plain, {}],
  ["TLS", () => secure, { tls: { ca, alpn: "http/1.1" } }],
] as [string, () => TestServer, RawSocketOptions][])("createOnePortServer() over %s", (name, server, tls) => {
  const baseUrl = () => server().baseUrl;

  it("should close a connection that never sends a byte", async () => {
    const raw = await openSocket(baseUrl(), name === "TLS" ? {} : tls); // over TLS: not even a handshake
    await raw.closed;
    expect(raw.received()).toBe("");
  });

  it("should answer 408 and close a connection that sends its headers one byte at a time", async () => {
    const raw = await openSocket(baseUrl(), tls);
    const sent = await dribble(raw, slowRequest, 50);
    await raw.closed;
    expect(sent).toBeLessThan(slowRequest.length);
    expect(raw.received()).toMatch(/^HTTP\/1\.1 408 /);
  });

  it("should close an HTTP/1.1 keep-alive connection once it has idled", async () => {
    const raw = await openSocket(baseUrl(), tls);
    raw.socket.write("GET /healthz HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n");
    await raw.closed;
    expect(raw.received()).toMatch(/^HTTP\/1\.1 200 [\s\S]*ok\n/);
  });

  it("should send an idle HTTP/2 session a GOAWAY and close it", async () => {
    const session = http2.connect(baseUrl(), { ca });
    const goaway = new Promise<number>((resolve) => session.once("goaway", resolve));
    const request = session.request({ ":path": "/healthz" });
    request.resume();
    await new Promise((resolve) => request.once("close", resolve));
    expect(await goaway).toBe(http2.constants.NGHTTP2_NO_ERROR);
    await new Promise((resolve) => session.once("close", resolve));
  });

  it("should reset an HTTP/2 stream whose request never arrives whole, and go on serving its session", async () => {
    const session = http2.connect(baseUrl(), { ca });
    const stuck = session.request(grpcStreamTokensHeaders, { endStream: false });
    stuck.resume();
    stuck.write(Buffer.from([0, 0, 0, 0, 9])); // a message's envelope that promises 9 bytes, which never come
    await new Promise((resolve) => stuck.once("close", resolve));
    expect(stuck.rstCode).toBe(http2.constants.NGHTTP2_CANCEL);
    const healthz = session.request({ ":path": "/healthz" });
    healthz.setEncoding("utf8");
    let body = "";
    for await (const piece of healthz) body += piece;
    expect(body).toBe("ok\n");
    session.close();
    await server().settled();
  });

  it.concurrent.each(transportsTo(baseUrl))("should let a stream over %s that outlasts every limit, silent longer than the idle limit between tokens, go on", async (_, transport) => {
    const client = createClient(TokenService, transport({ nodeOptions: { ca } }));
    expect(await streamOutcome(client.streamTokens(ask("paced-400")))).toEqual({ text: defaultTokens.join(""), code: undefined });
  });
});

describe("createOnePortServer() preface", () => {
  it("should close a connection that dribbles the HTTP/2 preface", async () => {
    const raw = await openSocket(plain.baseUrl);
    const sent = await dribble(raw, preface, 50);
    await raw.closed;
    expect(sent).toBeLessThan(preface.length);
  });
});
