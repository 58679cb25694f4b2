import { afterAll, describe, expect, it } from "vitest";
import { Code, createClient } from "@connectrpc/connect";
import { TokenService } from "../../gen/tokenwire/v1/token_service_pb.js";
import { spawnUpstream } from "./upstream-process.ts";
import { streamOutcome } from "../support/stream-text.ts";
import { startTokenwireServer, transportsTo, type TestServer } from "../support/tokenwire-test-server.ts";
import { ask } from "../support/ask.ts";

let server: TestServer | undefined;
afterAll(() => server?.close());

describe("an upstream killed with SIGKILL under 50 streams", () => {
  it("should end every stream with unavailable, hold no stream open, and answer the next one with unavailable at once", async () => {
    const { child, url } = await spawnUpstream();
    server = await startTokenwireServer({ baseURL: () => url });
    const clients = transportsTo(() => server!.baseUrl).map(([, transport]) => createClient(TokenService, transport()));
    const streams = Array.from({ length: 50 }, (_, i) => streamOutcome(clients[i % clients.length]!.streamTokens(ask("paced-200"))));
    await new Promise((resolve) => setTimeout(resolve, 500)); // every stream has its first tokens
    child.kill("SIGKILL");
    const outcomes = await Promise.all(streams);
    expect(outcomes.map((outcome) => outcome.code)).toEqual(Array(50).fill(Code.Unavailable));
    await server.settled();
    const [, grpc] = transportsTo(() => server!.baseUrl)[2]!;
    expect((await streamOutcome(createClient(TokenService, grpc()).streamTokens(ask("gpt-test")))).code).toBe(Code.Unavailable);
  });
});
