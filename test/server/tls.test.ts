import { mkdtempSync, readFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import * as tls from "node:tls";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createClient } from "@connectrpc/connect";
import { createGrpcTransport } from "@connectrpc/connect-node";
import { TokenService } from "../../gen/tokenwire/v1/token_service_pb.js";
import { serverConfigFromEnv } from "../../src/config/server-config.ts";
import { defaultTokens } from "../fixtures/fake-openai.ts";
import { selfSignedCert } from "../fixtures/self-signed-cert.ts";
import { startTokenwireServer, transportsTo, type TestServer } from "../support/tokenwire-test-server.ts";
import { readAll } from "../support/read-stream.ts";
import { deltaTextOf } from "../support/stream-text.ts";

let test: TestServer;
let ca: Buffer;
beforeAll(async () => {
  const { cert, key } = selfSignedCert(mkdtempSync(join(tmpdir(), "tokenwire-tls-")));
  ca = readFileSync(cert);
  test = await startTokenwireServer({ tls: serverConfigFromEnv({ TLS_CERT_FILE: cert, TLS_KEY_FILE: key }).tls });
});
afterAll(() => test.close());

function alpn(protocol: string): Promise<string | false | null> {
  const { port } = new URL(test.baseUrl);
  return new Promise((resolve, reject) => {
    const socket = tls.connect({ host: "127.0.0.1", port: Number(port), ca, ALPNProtocols: [protocol] }, () => {
      resolve(socket.alpnProtocol);
      socket.end();
    });
    socket.on("error", reject);
  });
}

describe("createTokenwireServer() with TLS_CERT_FILE and TLS_KEY_FILE", () => {
  it.each(["h2", "http/1.1"])("should agree on %s by ALPN", async (protocol) => {
    expect(await alpn(protocol)).toBe(protocol);
  });

  it.each(transportsTo(() => test.baseUrl))("should stream tokens to a client that trusts the certificate, over %s", async (_, transport) => {
    const responses = await readAll(createClient(TokenService, transport({ nodeOptions: { ca } })).streamTokens({ generation: { input: { case: "prompt", value: "hi" } } }));
    expect(deltaTextOf(responses)).toBe(defaultTokens.join(""));
  });

  it("should refuse a client that does not trust the certificate", async () => {
    const client = createClient(TokenService, createGrpcTransport({ baseUrl: test.baseUrl }));
    await expect(readAll(client.streamTokens({ generation: { input: { case: "prompt", value: "hi" } } }))).rejects.toThrow(/certificate/);
  });
});
