import { afterAll, beforeAll, describe, expect, it, vi } from "vitest";
import { createClient } from "@connectrpc/connect";
import { createGrpcTransport } from "@connectrpc/connect-node";
import { TokenService } from "../../gen/tokenwire/v1/token_service_pb.js";
import { Health, HealthCheckResponse_ServingStatus as ServingStatus } from "../../gen/health/v1/health_pb.js";
import { defaultTokens, startFakeOpenAI, type FakeOpenAI } from "../fixtures/fake-openai.ts";
import { startRedisServer, type RedisServer } from "../fixtures/redis-server.ts";
import { startTokenwireProcess, type TokenwireProcess } from "../fixtures/tokenwire-process.ts";
import { deltaTextOf } from "../support/stream-text.ts";
import { readAll, streamIdOf, untilDeltas } from "../support/read-stream.ts";
import { skipWithout } from "../support/test-tiers.ts";
import { ask as request } from "../support/ask.ts";

// npm start with TOKENWIRE_WORKERS=2: a primary and two workers on one port, sharing a redis-server.
let redis: RedisServer;
let upstream: FakeOpenAI;
let server: TokenwireProcess;
let workers: number[];
beforeAll(async () => {
  [redis, upstream] = await Promise.all([startRedisServer(), startFakeOpenAI()]);
  server = await startTokenwireProcess({
    upstreamUrl: upstream.url,
    models: ["gpt-test", "paced-20", "paced-500"],
    env: { TOKENWIRE_WORKERS: "2", REDIS_URL: redis.url, TOKENWIRE_SHUTDOWN_GRACE_MS: "20000" },
  });
  workers = (await untilLine((line) => line.msg === "all 2 workers listening on port " + line.port)).pids as number[];
}, 60_000);
afterAll(async () => {
  await server?.stop();
  await Promise.all([upstream?.close(), redis?.stop()]);
});

// Log lines and signals cross processes: on a busy machine they take longer than expect.poll's default second.
const patiently = { timeout: 15_000 };
type Line = Record<string, unknown>;
const lines = (): Line[] => server.output.flatMap((text) => (text.startsWith("{") ? [JSON.parse(text) as Line] : []));
const untilLine = (match: (line: Line) => boolean): Promise<Line> =>
  vi.waitFor(() => lines().find(match) ?? Promise.reject(new Error(`no such line yet in:\n${server.output.join("\n")}`)), { timeout: 30_000, interval: 50 });
// Pids of the workers that logged a stream of `model` by `method` (a resume's line names no model).
const servedBy = (method: string, model: string) => new Set(lines().filter((l) => l.method === `tokenwire.v1.TokenService/${method}` && l.model === model).map((l) => l.pid));

// A client of its own per call: a new connection, which the primary hands to the next worker in turn.
const freshClient = () => createClient(TokenService, createGrpcTransport({ baseUrl: server.url }));
const everyText = defaultTokens.join("");

describe.skipIf(skipWithout("redis"))("npm start with TOKENWIRE_WORKERS=2", () => {
  it("should serve streams from both workers", async () => {
    for (let i = 0; i < 4; i++) expect(deltaTextOf(await readAll(freshClient().streamTokens(request("gpt-test"))))).toBe(everyText);
    await expect.poll(() => servedBy("StreamTokens", "gpt-test").size, patiently).toBe(2);
    expect([...servedBy("StreamTokens", "gpt-test")].sort()).toEqual([...workers].sort());
  });

  it("should answer /metrics on any worker with the streams of both", async () => {
    for (let i = 0; i < 2; i++) {
      const text = await (await fetch(`${server.url}/metrics`, { headers: { connection: "close" } })).text();
      expect(text).toContain('tokenwire_streams_started_total{kind="generation",protocol="grpc"} 4');
    }
  });

  it("should serve, from every worker, the chat page the primary bundled once", async () => {
    const scripts = [];
    for (let i = 0; i < 2; i++) scripts.push(await (await fetch(`${server.url}/app.js`, { headers: { connection: "close" } })).text());
    expect(scripts[0]!.length).toBeGreaterThan(1000);
    expect(scripts[1]).toBe(scripts[0]);
  });

  it("should resume a stream on the other worker where the client dropped it", async () => {
    const first = await readAll((signal) => freshClient().streamTokens(request("paced-20", true), { signal }), untilDeltas(3));
    const streamId = streamIdOf(first);
    const after = first.at(-1)!.sequence;
    // Resumed on successive connections, so that the primary hands one to the worker that does not generate it.
    for (let i = 0; i < 2; i++) expect(deltaTextOf([...first, ...(await readAll(freshClient().resumeStream({ streamId, afterSequence: after })))])).toBe(everyText);
    await expect.poll(() => servedBy("ResumeStream", "").size, patiently).toBe(2);
  });

  it("should replace a worker that dies, and stay SERVING meanwhile", async () => {
    const [killed] = workers;
    process.kill(killed!, "SIGKILL");
    const replacement = await untilLine((line) => line.replaces === killed);
    for (let i = 0; i < 4; i++) {
      const health = createClient(Health, createGrpcTransport({ baseUrl: server.url }));
      expect((await health.check({ service: "" })).status).toBe(ServingStatus.SERVING);
    }
    expect(lines().find((line) => line.worker === killed && line.signal === "SIGKILL")?.msg).toMatch(/^worker \d+ exited \(SIGKILL\): a new one starts in \d+ ms$/);
    expect(replacement.worker).not.toBe(killed);
  });

  it("should, on SIGTERM, let a stream in flight finish on its worker, and exit 0", async () => {
    // Five seconds of stream: /healthz is read while it drains, before its worker closes the last listener.
    const events = freshClient().streamTokens(request("paced-500"))[Symbol.asyncIterator]();
    await events.next(); // started
    const exited = new Promise<number | null>((resolve) => server.child.once("exit", resolve));
    server.child.kill("SIGTERM");
    await expect.poll(async () => (await fetch(`${server.url}/healthz`, { headers: { connection: "close" } })).status, patiently).toBe(503);
    let text = "";
    for (let next = await events.next(); !next.done; next = await events.next()) {
      if (next.value.event.case === "delta") text += next.value.event.value.text;
    }
    expect(text).toBe(everyText);
    expect(await exited).toBe(0);
    expect(lines().filter((line) => line.msg === "stopped").map((line) => line.pid)).toHaveLength(3);
  });
});
