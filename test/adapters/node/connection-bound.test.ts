import { describe, expect, it } from "vitest";
import { createClient } from "@connectrpc/connect";
import { createGrpcTransport } from "@connectrpc/connect-node";
import { TokenService } from "../../../gen/tokenwire/v1/token_service_pb.js";
import { defaultTokens } from "../../fixtures/fake-openai.ts";
import { streamOutcome } from "../../support/stream-text.ts";
import { openSocket, type RawSocket } from "../../support/raw-socket.ts";
import { useTokenwireServer } from "../../support/tokenwire-test-server.ts";
import { ask } from "../../support/ask.ts";


async function openIdle(baseUrl: string, count: number): Promise<RawSocket[]> {
  const sockets: RawSocket[] = [];
  for (let i = 0; i < count; i++) sockets.push(await openSocket(baseUrl));
  return sockets;
}

describe("createOnePortServer() with maxConnections 4", () => {
  const test = useTokenwireServer({ maxConnections: 4 });

  it("should close the connection idle the longest to admit a new one", async () => {
    const idle = await openIdle(test.current.baseUrl, 4);
    const response = await fetch(`${test.current.baseUrl}/healthz`);
    expect(await response.text()).toBe("ok\n");
    await idle[0]!.closed;
    expect(idle.slice(1).map((socket) => socket.isClosed())).toEqual([false, false, false]);
    idle.forEach((socket) => socket.socket.destroy());
  });

  it("should serve streams and /healthz through a flood of idle connections", async () => {
    const flood = await openIdle(test.current.baseUrl, 300);
    const client = createClient(TokenService, createGrpcTransport({ baseUrl: test.current.baseUrl }));
    expect(await streamOutcome(client.streamTokens(ask("gpt-test")))).toEqual({ text: defaultTokens.join(""), code: undefined });
    expect((await fetch(`${test.current.baseUrl}/healthz`)).status).toBe(200);
    expect(flood.filter((socket) => !socket.isClosed()).length).toBeLessThanOrEqual(4);
    flood.forEach((socket) => socket.socket.destroy());
  });
});

describe("createOnePortServer() with maxConnections 2", () => {
  const test = useTokenwireServer({ maxConnections: 2 });

  it("should refuse a connection while every connection has a stream in flight, and let those streams finish", async () => {
    const arrived = Promise.all([test.current.upstream.nextRequest(), test.current.upstream.nextRequest()]);
    const streams = [0, 1].map(async () => {
      const client = createClient(TokenService, createGrpcTransport({ baseUrl: test.current.baseUrl }));
      return streamOutcome(client.streamTokens(ask("paced-200")));
    });
    await arrived;
    const refused = await openSocket(test.current.baseUrl);
    await refused.closed;
    expect(refused.received()).toBe("");
    expect(await Promise.all(streams)).toEqual(Array(2).fill({ text: defaultTokens.join(""), code: undefined }));
  });
});
