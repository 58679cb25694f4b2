import { createServer, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest";
import { withCors } from "../../../src/adapters/node/with-cors.ts";
import { tokenwireNodeHandler } from "../../../src/adapters/node/tokenwire-node-handler.ts";
import { tokenwireFrom } from "../../../src/models/tokenwire-from.ts";
import { LocalChatModel } from "../../../src/models/local-chat-model.ts";

const page = "https://chat.example.com";
const path = "/tokenwire.v1.TokenService/StreamTokens";
const tokenwire = tokenwireFrom({ model: new LocalChatModel({ tokensPerSecond: 0 }) });
let server: Server;
let url: string;

beforeAll(async () => {
  server = createServer(withCors(tokenwireNodeHandler(tokenwire), { origins: [page] }));
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  url = `http://127.0.0.1:${(server.address() as AddressInfo).port}${path}`;
});
afterEach(() => expect.poll(() => tokenwire.openStreams).toBe(0));
afterAll(async () => {
  server.closeAllConnections();
  await new Promise((resolve) => server.close(resolve));
});

const preflight = (origin: string) =>
  fetch(url, { method: "OPTIONS", headers: { origin, "access-control-request-method": "POST", "access-control-request-headers": "content-type" } });

describe("withCors()", () => {
  it("should answer an allowed origin's preflight on an RPC's path, which connect-node alone refuses", async () => {
    const res = await preflight(page);
    expect(res.status).toBe(204);
    expect(res.headers.get("access-control-allow-origin")).toBe(page);
    expect(res.headers.get("access-control-allow-headers")).toContain("Connect-Protocol-Version");
  });

  it("should answer another origin's preflight without allowing it", async () => {
    const res = await preflight("https://evil.example");
    expect(res.headers.get("access-control-allow-origin")).toBeNull();
  });

  it("should add the CORS headers to the RPC's own response", async () => {
    const body = JSON.stringify({ generation: { prompt: "hi" } });
    const headers = { origin: page, "content-type": "application/connect+json" };
    const envelope = Buffer.concat([Buffer.from([0, 0, 0, 0, body.length]), Buffer.from(body)]);
    const res = await fetch(url, { method: "POST", headers, body: envelope });
    expect(res.status).toBe(200);
    expect(res.headers.get("access-control-allow-origin")).toBe(page);
    expect(res.headers.get("access-control-expose-headers")).toContain("Grpc-Status");
    await res.arrayBuffer();
  });
});
