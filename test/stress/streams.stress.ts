import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { ChildProcess } from "node:child_process";
import { createClient } from "@connectrpc/connect";
import { TokenService } from "../../gen/tokenwire/v1/token_service_pb.js";
import { defaultTokens } from "../fixtures/fake-openai.ts";
import { startTokenwireProcess, stopProcess, type TokenwireProcess } from "../fixtures/tokenwire-process.ts";
import { streamOutcome } from "../support/stream-text.ts";
import { transportsTo } from "../support/tokenwire-test-server.ts";
import { spawnUpstream } from "./upstream-process.ts";

// npm start, the upstream and the clients each in a process of their own, as in a real deployment.
let upstream: ChildProcess;
let server: TokenwireProcess;
beforeAll(async () => {
  const spawned = await spawnUpstream();
  upstream = spawned.child;
  server = await startTokenwireProcess({ upstreamUrl: spawned.url, models: ["paced-200"], env: { TOKENWIRE_MAX_STREAMS: "4096" } });
});
afterAll(async () => {
  await server?.stop();
  if (upstream) await stopProcess(upstream);
});

const ask = { generation: { model: "paced-200", input: { case: "prompt" as const, value: "hi" } } };

describe("2,000 concurrent streams", () => {
  it("should carry every token of every stream, in order, on every protocol at once", async () => {
    // 10 clients a protocol, so that streams share connections as real clients' do.
    const clients = transportsTo(() => server.url).flatMap(([, transport]) => Array.from({ length: 10 }, () => createClient(TokenService, transport())));
    const outcomes = await Promise.all(Array.from({ length: 2000 }, (_, i) => streamOutcome(clients[i % clients.length]!.streamTokens(ask))));
    expect(outcomes.filter((outcome) => outcome.text !== defaultTokens.join("") || outcome.code !== undefined)).toEqual([]);
    expect(server.output.filter((line) => line.includes('"stream ended"') && !line.includes('"status":"ok"'))).toEqual([]);
  });
});
