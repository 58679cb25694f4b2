import { createHash } from "node:crypto";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, afterEach, beforeAll, describe, expect, it, vi } from "vitest";
import { ConnectError, createClient } from "@connectrpc/connect";
import { createGrpcTransport } from "@connectrpc/connect-node";
import { createCluster } from "redis";
import { TokenService, type StreamTokensResponse } from "../../../gen/tokenwire/v1/token_service_pb.js";
import { createRedisStreamLog } from "../../../src/adapters/redis/index.ts";
import { createRedisLimits } from "../../../src/app/redis-limits.ts";
import { errors, silentLogger, type StreamLog, type TokenEvent } from "../../../src/index.ts";
import { defaultTokens, startFakeOpenAI } from "../../fixtures/fake-openai.ts";
import { startRedisCluster, type RedisCluster } from "../../fixtures/redis-cluster.ts";
import { startTokenwireProcess } from "../../fixtures/tokenwire-process.ts";
import { collect } from "../../support/collect.ts";
import { startAll } from "../../support/start-all.ts";
import { answerMs, recordingLogger, settlesWithin } from "../../support/redis-stall.ts";
import { runLimitStoreContract } from "../../support/limit-store-contract.ts";
import { runStreamLogContract } from "../../support/stream-log-contract.ts";

// Three masters, each with a replica, as `redis-cli --cluster create … --cluster-replicas 1` makes them.
let cluster: RedisCluster;
beforeAll(async () => {
  cluster = await startRedisCluster();
}, 60_000);
afterAll(() => cluster?.stop());

const heartbeatMs = 100;
const started: TokenEvent = { type: "started", seq: 0, runId: "run", model: "m" };
const delta = (seq: number, text: string): TokenEvent => ({ type: "delta", seq, text });
const textOf = (events: TokenEvent[]) => events.map((e) => (e.type === "delta" ? e.text : "")).join("");
const logs: StreamLog[] = [];
async function openLog(options: { heartbeatMs?: number } = {}): Promise<StreamLog> {
  const log = await createRedisStreamLog({ clusterNodes: cluster.seeds, heartbeatMs, ...options });
  logs.push(log);
  return log;
}
afterEach(async () => {
  await Promise.all(logs.splice(0).map((log) => log.close()));
});

describe("createRedisStreamLog() on a Redis Cluster", () => {
  runStreamLogContract({ name: "the Redis log on a cluster", createLog: (options) => createRedisStreamLog({ clusterNodes: cluster.seeds, heartbeatMs, ...options }) });

  it("should spread streams over the masters, each stream's keys and channel on one slot, and let a reader on one replica follow another's live", async () => {
    // Heartbeats a minute apart: a reader that hears nothing does not look for itself within the test, so what
    // it reads live came over the stream's sharded channel.
    const [a, b] = [await openLog({ heartbeatMs: 60_000 }), await openLog({ heartbeatMs: 60_000 })];
    const streams = await Promise.all(
      Array.from({ length: 12 }, async (_, i) => {
        const id = `chat-${i}`;
        const writer = await a.create(id, { graceMs: 60_000 });
        await writer.write(started);
        return { id, writer, live: collect(b.read(id, { afterSeq: -1 })) };
      }),
    );
    // Everything is written after every reader has subscribed: what they read live came over sharded channels.
    await vi.waitFor(async () => {
      for (const { id } of streams) expect((await collect(b.read(id, { afterSeq: -1, signal: AbortSignal.timeout(50) }))).events).toHaveLength(1);
    });
    for (const { id, writer } of streams) {
      await writer.write(delta(1, `${id} `));
      writer.close();
    }
    for (const { id, live } of streams) expect(textOf((await live).events)).toBe(`${id} `);
    const inspect = createCluster({ rootNodes: cluster.seeds.map((url) => ({ url })) });
    await inspect.connect();
    try {
      const holders = await Promise.all(streams.map(async ({ id }) => (await inspect.getNodeClientForKey(`tokenwire:{${id}}:meta`)).options?.socket));
      expect(new Set(holders.map((socket) => (socket && "port" in socket ? socket.port : undefined))).size).toBe(3);
    } finally {
      await inspect.close();
    }
  });

  it("should count a reader on another replica as present where the stream's channel lives, and abandon the stream once it has left", async () => {
    const [a, b] = [await openLog(), await openLog()];
    const writer = await a.create("present", { graceMs: 200 });
    await writer.write(started);
    const reader = new AbortController();
    const reading = collect(b.read("present", { afterSeq: -1, signal: reader.signal }));
    await new Promise((resolve) => setTimeout(resolve, 1000));
    expect(writer.abandoned.aborted).toBe(false);
    reader.abort();
    expect((await reading).events).toEqual([started]);
    await vi.waitFor(() => expect(writer.abandoned.reason).toMatchObject({ message: errors.abandoned().message }), { timeout: 5000 });
    writer.close(errors.abandoned());
  });

  it("should stop a stream from another replica", async () => {
    const [a, b] = [await openLog(), await openLog()];
    const writer = await a.create("stopped", { graceMs: 60_000 });
    await writer.write(started);
    expect(await b.stop("stopped")).toBe(true);
    await vi.waitFor(() => expect(writer.stopped.reason).toMatchObject({ message: errors.stopped().message }));
    writer.close();
  });
});

describe("a master of the cluster that stops answering", () => {
  it("should fail its streams within the bound, and say so once, not again with each answer of the other masters", async () => {
    const logger = recordingLogger();
    const log = await createRedisStreamLog({ clusterNodes: cluster.seeds, heartbeatMs, answerMs, logger });
    logs.push(log);
    const writer = await log.create("paused-master", { graceMs: 60_000 });
    await writer.write(started);
    const inspect = createCluster({ rootNodes: cluster.seeds.map((url) => ({ url })) });
    await inspect.connect();
    const socket = (await inspect.getNodeClientForKey("tokenwire:{paused-master}:meta")).options?.socket;
    await inspect.close();
    const master = cluster.servers.find((server) => socket && "port" in socket && server.port === socket.port)!;
    master.pause();
    try {
      expect(await settlesWithin(new Promise((resolve) => writer.abandoned.addEventListener("abort", () => resolve(writer.abandoned.reason))))).toMatchObject({
        code: "unavailable",
        message: errors.logUnanswered(answerMs).message,
      });
      writer.close(writer.abandoned.reason);
      // Readers keep asking for the stream while probes of the other masters are answered; all within the cluster's
      // node timeout, so no failover.
      for (let i = 0; i < 3; i++) {
        expect((await settlesWithin(collect(log.read("paused-master", { afterSeq: -1 })))).error?.code).toBe("unavailable");
        await new Promise((resolve) => setTimeout(resolve, 2 * heartbeatMs));
      }
    } finally {
      master.resume();
    }
    await vi.waitFor(() => expect(logger.lines.filter((line) => line.redis === "answering")).toHaveLength(1));
    expect(logger.lines.filter((line) => line.redis === "unanswered")).toHaveLength(1);
  });
});

describe("createRedisLimits() on a Redis Cluster", () => {
  runLimitStoreContract({ name: "limits on a cluster", createStore: () => createRedisLimits({ clusterNodes: cluster.seeds, logger: silentLogger }) });
});

describe("npm start on a Redis Cluster (REDIS_CLUSTER_NODES)", () => {
  it("should not start, and say why in one line, when REDIS_URL names a Redis too", async () => {
    const started = startTokenwireProcess({ env: { REDIS_CLUSTER_NODES: cluster.seeds.join(","), REDIS_URL: cluster.seeds[0]! } });
    await expect(started).rejects.toThrow("exited (1) before listening:\ntokenwire: cannot start: REDIS_URL and REDIS_CLUSTER_NODES are set, and each names a different Redis: set only one of them");
  });

  it("should resume on one replica a stream started on another, and hold a caller's limits across both", async () => {
    const dir = mkdtempSync(join(tmpdir(), "tokenwire-cluster-"));
    const key = "tw-alice-0123456789abcdef";
    const keysFile = join(dir, "keys.json");
    writeFileSync(keysFile, JSON.stringify({ callers: [{ name: "alice", keySha256: createHash("sha256").update(key).digest("hex"), maxConcurrentStreams: 1 }] }));
    const upstream = await startFakeOpenAI();
    const env = { REDIS_CLUSTER_NODES: cluster.seeds.join(","), TOKENWIRE_API_KEYS_FILE: keysFile };
    const replicas = await startAll([0, 1].map(() => startTokenwireProcess({ upstreamUrl: upstream.url, models: ["gpt-test", "paced-50"], env }))).catch(async (error: unknown) => {
      await upstream.close();
      throw error;
    });
    try {
      const [a, b] = replicas.map((replica) => createClient(TokenService, createGrpcTransport({ baseUrl: replica.url })));
      const headers = { authorization: `Bearer ${key}` };
      const request = { generation: { input: { case: "prompt" as const, value: "hi" }, model: "paced-50" }, resumable: true };
      const left = new AbortController();
      const first: StreamTokensResponse[] = [];
      try {
        for await (const response of a!.streamTokens(request, { headers, signal: left.signal })) {
          first.push(response);
          if (first.length === 3) left.abort();
        }
      } catch {
        // the client went away, as it meant to
      }
      const streamId = first[0]?.event.case === "started" ? first[0].event.value.streamId : "";
      // The generation goes on without its reader and holds alice's one stream, on every replica: reading it again on
      // the other replica holds none of its own, and a second generation is refused there.
      const rest: StreamTokensResponse[] = [];
      const resumed = b!.resumeStream({ streamId, afterSequence: first.at(-1)!.sequence }, { headers })[Symbol.asyncIterator]();
      rest.push((await resumed.next()).value as StreamTokensResponse);
      const refused = await b!.generate({ generation: { input: { case: "prompt", value: "hi" } } }, { headers }).catch((error: unknown) => ConnectError.from(error));
      expect(refused).toMatchObject({ rawMessage: "this API key is over its limit of 1 concurrent streams (retry in 1 s)" });
      for (let next = await resumed.next(); !next.done; next = await resumed.next()) rest.push(next.value);
      const text = [...first, ...rest].map((r) => (r.event.case === "delta" ? r.event.value.text : "")).join("");
      expect(text).toBe(defaultTokens.join(""));
      expect(rest.at(-1)?.event.case).toBe("finished");
    } finally {
      await Promise.all(replicas.map((replica) => replica.stop()));
      await upstream.close();
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
