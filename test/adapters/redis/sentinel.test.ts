import { afterAll, beforeAll, describe, expect, it, vi } from "vitest";
import { createClient } from "@connectrpc/connect";
import { createConnectTransport } from "@connectrpc/connect-node";
import { TokenService } from "../../../gen/tokenwire/v1/token_service_pb.js";
import { createRedisStreamLog } from "../../../src/adapters/redis/index.ts";
import { createRedisLimits } from "../../../src/app/redis-limits.ts";
import { silentLogger, type StreamLog, type TokenEvent } from "../../../src/index.ts";
import { sentinelMaster, startRedisSentinels, type RedisSentinels } from "../../fixtures/redis-sentinel.ts";
import { startTokenwireProcess } from "../../fixtures/tokenwire-process.ts";
import { collect } from "../../support/collect.ts";
import { runLimitStoreContract } from "../../support/limit-store-contract.ts";
import { runStreamLogContract } from "../../support/stream-log-contract.ts";

// A master, its replica and a Sentinel watching them.
let sentinels: RedisSentinels;
beforeAll(async () => {
  sentinels = await startRedisSentinels();
}, 30_000);
afterAll(() => sentinels?.stop());

const heartbeatMs = 100;
const where = () => ({ sentinels: [sentinels.sentinel], sentinelMaster });
const started: TokenEvent = { type: "started", seq: 0, runId: "run", model: "m" };

describe("createRedisStreamLog() on the master Redis Sentinel names", () => {
  runStreamLogContract({ name: "the Redis log through Sentinel", createLog: (options) => createRedisStreamLog({ ...where(), heartbeatMs, ...options }) });
});

describe("createRedisLimits() on the master Redis Sentinel names", () => {
  runLimitStoreContract({ name: "limits through Sentinel", createStore: () => createRedisLimits({ ...where(), logger: silentLogger }) });
});

describe("npm start with REDIS_SENTINELS and REDIS_SENTINEL_MASTER", () => {
  it("should keep resumable streams on the master the Sentinels name, and resume them", async () => {
    const env = { REDIS_SENTINELS: `${sentinels.sentinel.host}:${sentinels.sentinel.port}`, REDIS_SENTINEL_MASTER: sentinelMaster };
    const server = await startTokenwireProcess({ env });
    try {
      const client = createClient(TokenService, createConnectTransport({ baseUrl: server.url, httpVersion: "1.1" }));
      const { events: first } = await collect(client.streamTokens({ generation: { input: { case: "prompt", value: "hi" } }, resumable: true }));
      const streamId = first[0]?.event.case === "started" ? first[0].event.value.streamId : "";
      const { events: again } = await collect(client.resumeStream({ streamId, afterSequence: 0n }));
      const textOf = (responses: typeof first) => responses.map((r) => (r.event.case === "delta" ? r.event.value.text : "")).join("");
      expect(textOf(again)).toBe(textOf(first));
      expect(textOf(first).length).toBeGreaterThan(0);
      expect(again.at(-1)?.event.case).toBe("finished");
      expect(server.output.join("\n")).toContain(`resumable streams are kept in Redis at ${env.REDIS_SENTINELS}`);
    } finally {
      await server.stop();
    }
  });
});

// Last: it takes the master away.
describe("a failover", () => {
  it("with failoverMs 0, should end a live stream with unavailable when its master goes, and serve new streams on the master Sentinel promotes", async () => {
    const log: StreamLog = await createRedisStreamLog({ ...where(), heartbeatMs, answerMs: 500, failoverMs: 0 });
    try {
      const writer = await log.create("before", { graceMs: 60_000 });
      await writer.write(started);
      await sentinels.master.kill();
      await vi.waitFor(() => expect(writer.abandoned.reason).toMatchObject({ code: "unavailable" }), { timeout: 5000 });
      writer.close(writer.abandoned.reason);
      const after = await vi.waitFor(() => log.create("after", { graceMs: 60_000 }), { timeout: 20_000, interval: 200 });
      await after.write(started);
      after.close();
      expect((await collect(log.read("after", { afterSeq: -1 }))).events).toEqual([started]);
    } finally {
      await log.close();
    }
  }, 30_000);
});
