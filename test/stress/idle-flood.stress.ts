import { describe, expect, it } from "vitest";
import { createClient } from "@connectrpc/connect";
import { createGrpcTransport } from "@connectrpc/connect-node";
import { TokenService } from "../../gen/tokenwire/v1/token_service_pb.js";
import { defaultTokens } from "../fixtures/fake-openai.ts";
import { openSocket, type RawSocket } from "../support/raw-socket.ts";
import { streamOutcome } from "../support/stream-text.ts";
import { useTokenwireServer } from "../support/tokenwire-test-server.ts";
import { ask } from "../support/ask.ts";

// The flood of idle connections that once used up the server's file descriptors: 5,000 here, against a
// bound of 1,000, in batches so that the client side stays within this process's own descriptors.
const test = useTokenwireServer({ maxConnections: 1000, headersTimeoutMs: 5000 });

describe("an idle flood of 5,000 connections", () => {
  it("should keep serving streams and /healthz throughout, and close every idle connection", async () => {
    const client = createClient(TokenService, createGrpcTransport({ baseUrl: test.current.baseUrl }));
    const live = streamOutcome(client.streamTokens(ask("paced-200")));
    const flood: RawSocket[] = [];
    for (let batch = 0; batch < 50; batch++) {
      flood.push(...(await Promise.all(Array.from({ length: 100 }, () => openSocket(test.current.baseUrl)))));
      expect((await fetch(`${test.current.baseUrl}/healthz`)).status).toBe(200);
    }
    expect(await streamOutcome(client.streamTokens(ask("gpt-test")))).toEqual({ text: defaultTokens.join(""), code: undefined });
    expect(await live).toEqual({ text: defaultTokens.join(""), code: undefined });
    await Promise.all(flood.map((socket) => socket.closed));
  });
});
