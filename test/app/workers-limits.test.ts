import { createHash } from "node:crypto";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it, vi } from "vitest";
import { createClient } from "@connectrpc/connect";
import { createGrpcTransport } from "@connectrpc/connect-node";
import { TokenService } from "../../gen/tokenwire/v1/token_service_pb.js";
import { startFakeOpenAI, type FakeOpenAI } from "../fixtures/fake-openai.ts";
import { startRedisServer, type RedisServer } from "../fixtures/redis-server.ts";
import { startTokenwireProcess, type TokenwireProcess } from "../fixtures/tokenwire-process.ts";
import { holdStream } from "../support/hold-stream.ts";
import { codeOf } from "../support/code-of.ts";
import { ask as request } from "../support/ask.ts";

// npm start with two workers, Redis and a key limited to one stream: the lease is the generation's, on every worker.
const key = "tw-one-stream-workers-key";
const dir = mkdtempSync(join(tmpdir(), "tokenwire-workers-limits-"));
const keysFile = join(dir, "keys.json");
writeFileSync(keysFile, JSON.stringify({ callers: [{ name: "one-stream", keySha256: createHash("sha256").update(key).digest("hex"), maxConcurrentStreams: 1 }] }));

let redis: RedisServer;
let upstream: FakeOpenAI;
let server: TokenwireProcess;
beforeAll(async () => {
  [redis, upstream] = await Promise.all([startRedisServer(), startFakeOpenAI()]);
  server = await startTokenwireProcess({
    upstreamUrl: upstream.url,
    models: ["gpt-test", "stall-after-3"],
    env: { TOKENWIRE_WORKERS: "2", REDIS_URL: redis.url, TOKENWIRE_API_KEYS_FILE: keysFile, TOKENWIRE_RESUME_GRACE_MS: "600000" },
  });
}, 60_000);
afterAll(async () => {
  await server?.stop();
  await Promise.all([upstream?.close(), redis?.stop()]);
  rmSync(dir, { recursive: true, force: true });
});

const asCaller = { headers: { authorization: `Bearer ${key}` } };
// A client of its own per call: a new connection, which the primary hands to the next worker in turn.
const freshClient = () => createClient(TokenService, createGrpcTransport({ baseUrl: server.url }));
const outcome = (call: () => Promise<unknown>) =>
  call().then(
    () => "ok",
    (reason: unknown) => codeOf(reason),
  );

describe("npm start with TOKENWIRE_WORKERS=2, Redis and a key limited to one stream", () => {
  it("should refuse a second generation on either worker while a dropped resumable stream still generates, and admit one once it is stopped", async () => {
    const held = await holdStream(freshClient(), { ...asCaller, resumable: true });
    await held.release();
    const { streamId } = held;
    // Successive connections reach both workers.
    const refused = [];
    for (let i = 0; i < 2; i++) refused.push(await outcome(() => freshClient().generate(request("gpt-test"), asCaller)));
    expect(refused).toEqual(["ResourceExhausted", "ResourceExhausted"]);
    expect((await freshClient().stopStream({ streamId }, asCaller)).stopped).toBe(true);
    // The stop reaches the generating worker through Redis, and its lease goes back when the generation ends.
    await vi.waitFor(async () => expect(await outcome(() => freshClient().generate(request("gpt-test"), asCaller))).toBe("ok"), { timeout: 15_000, interval: 200 });
  });
});
