import { createHash } from "node:crypto";
import { afterAll, beforeAll, describe, expect, it, vi } from "vitest";
import { ConnectError, createClient, type Client } from "@connectrpc/connect";
import { createGrpcTransport } from "@connectrpc/connect-node";
import { createClient as createRedisClient } from "redis";
import { TokenService } from "../../gen/tokenwire/v1/token_service_pb.js";
import { RetryInfoSchema } from "../../gen/google/rpc/error_details_pb.js";
import { silentLogger } from "../../src/core/logger.ts";
import { apiKeyAuthenticator, type ApiKeyAuthenticator } from "../../src/server/api-keys.ts";
import type { ApiKeyCaller } from "../../src/config/api-keys-file.ts";
import type { LimitStore } from "../../src/server/caller-limits.ts";
import { createRedisLimits } from "../../src/app/redis-limits.ts";
import { untilLevel } from "../../src/server/caller-limits.ts";
import { defaultTokens } from "../fixtures/fake-openai.ts";
import { startRedisServer, type RedisServer } from "../fixtures/redis-server.ts";
import { startTokenwireServer, type TestServer } from "../support/tokenwire-test-server.ts";
import { skipWithout } from "../support/test-tiers.ts";
import { runLimitStoreContract } from "../support/limit-store-contract.ts";
import { answerMs, recordingLogger, settlesWithin, stalls } from "../support/redis-stall.ts";
import { tenStreamsAtOnce } from "../support/ten-streams.ts";
import { holdStream } from "../support/hold-stream.ts";
import { ask as prompt } from "../support/ask.ts";

const callers = {
  oneStream: { name: "one-stream", maxConcurrentStreams: 1 },
  twoAMinute: { name: "two-a-minute", requestsPerMinute: 2 },
  fiveTokens: { name: "five-tokens", outputTokensPerMinute: 5 },
  tenAtOnce: { name: "ten-at-once", outputTokensPerMinute: 5 },
};
const keyOf = (name: string) => `tw-${name}-shared-key`;
const entries: ApiKeyCaller[] = Object.values(callers).map((c) => ({ ...c, keySha256: createHash("sha256").update(keyOf(c.name)).digest("hex") }));
const bearer = (name: string) => ({ headers: { authorization: `Bearer ${keyOf(name)}` } });

let redis: RedisServer;
let inspect: ReturnType<typeof createRedisClient>;
/** Two replicas of the service that share one Redis, each with its own limit store. */
const replicas: { server: TestServer; keys: ApiKeyAuthenticator; limits: LimitStore; client: Client<typeof TokenService> }[] = [];

// A short lease, so that a replica that dies frees its callers' streams within the test.
async function startReplica(options: Partial<Parameters<typeof createRedisLimits>[0]> = {}): Promise<(typeof replicas)[number]> {
  const limits = await createRedisLimits({ url: redis.url, logger: silentLogger, leaseMs: 600, ...options });
  const keys = apiKeyAuthenticator(entries, { limits });
  const server = await startTokenwireServer({ authenticate: keys.authenticate, limiter: keys.limiter });
  const replica = { server, keys, limits, client: createClient(TokenService, createGrpcTransport({ baseUrl: server.baseUrl })) };
  replicas.push(replica);
  return replica;
}

beforeAll(async () => {
  redis = await startRedisServer();
  inspect = createRedisClient({ url: redis.url });
  inspect.on("error", () => {}); // Redis is killed on purpose below
  await inspect.connect();
  await startReplica();
  await startReplica();
});
afterAll(async () => {
  for (const { server, keys } of replicas) await server.close().then(() => keys.close());
  inspect?.destroy();
  await redis?.stop();
});

async function generate(client: Client<typeof TokenService>, caller: string): Promise<ConnectError | undefined> {
  return client.generate(prompt(), bearer(caller)).then(
    () => undefined,
    (error: unknown) => error as ConnectError,
  );
}

const openStreams = (name: string) => inspect.zCard(`tokenwire:limits:{${name}}:streams`);

describe.skipIf(skipWithout("redis"))("createRedisLimits()", () => {
  runLimitStoreContract({ name: "limits in Redis", createStore: () => createRedisLimits({ url: redis.url, logger: silentLogger }) });
});

describe.skipIf(skipWithout("redis"))("per-caller limits shared through Redis", () => {
  it("should count a caller's concurrent streams across replicas, and free them when the stream ends", async () => {
    const [a, b] = replicas as [(typeof replicas)[0], (typeof replicas)[0]];
    const held = await holdStream(a.client, bearer(callers.oneStream.name));
    const refused = await generate(b.client, callers.oneStream.name);
    expect(refused?.rawMessage).toBe("this API key is over its limit of 1 concurrent streams (retry in 1 s)");
    expect(refused?.findDetails(RetryInfoSchema)[0]?.retryDelay?.seconds).toBe(1n);
    await held.release();
    await vi.waitFor(async () => expect(await openStreams(callers.oneStream.name)).toBe(0));
    expect(await generate(b.client, callers.oneStream.name)).toBeUndefined();
  });

  it("should count a caller's requests a minute across replicas", async () => {
    const [a, b] = replicas as [(typeof replicas)[0], (typeof replicas)[0]];
    expect(await generate(a.client, callers.twoAMinute.name)).toBeUndefined();
    expect(await generate(b.client, callers.twoAMinute.name)).toBeUndefined();
    const refused = await generate(a.client, callers.twoAMinute.name);
    expect(refused?.rawMessage).toMatch(/^this API key is over its limit of 2 requests a minute \(retry in \d+ s\)$/);
  });

  it("should count output tokens spent on one replica against the caller on the other", async () => {
    const [a, b] = replicas as [(typeof replicas)[0], (typeof replicas)[0]];
    expect(await generate(a.client, callers.fiveTokens.name)).toBeUndefined();
    // The spend reaches Redis when the stream has ended, just after the reply.
    await vi.waitFor(async () => expect(Number(await inspect.hGet(`tokenwire:limits:{${callers.fiveTokens.name}}:tokens`, "level"))).toBeLessThan(0));
    const refused = await generate(b.client, callers.fiveTokens.name);
    expect(refused?.rawMessage).toMatch(/^this API key is over its limit of 5 output tokens a minute/);
  });

  it("should hold ten streams started at once on two replicas to the output-token budget: overshot by one stream at most, and owed a minute at most", async () => {
    const [a, b] = replicas as [(typeof replicas)[0], (typeof replicas)[0]];
    const { delivered, refused } = await tenStreamsAtOnce([a.client, b.client], bearer(callers.tenAtOnce.name).headers);
    expect(delivered).toBeGreaterThan(0);
    expect(delivered).toBeLessThanOrEqual(5 + defaultTokens.length);
    expect(refused).toHaveLength(10 - delivered / defaultTokens.length);
    await vi.waitFor(async () => expect(Number(await inspect.hGet(`tokenwire:limits:{${callers.tenAtOnce.name}}:tokens`, "level"))).toBeLessThan(0));
    const after = await generate(a.client, callers.tenAtOnce.name);
    const delay = after?.findDetails(RetryInfoSchema)[0]?.retryDelay;
    expect(Number(delay?.seconds) * 1000).toBeLessThanOrEqual(untilLevel(-5, 1, 5));
  });

  it("should free the streams of a replica that died once its lease runs out", async () => {
    const doomed = await startReplica();
    const held = await holdStream(doomed.client, bearer(callers.oneStream.name));
    expect(await openStreams(callers.oneStream.name)).toBe(1);
    await doomed.limits.close(); // no more renewals, and no release: as a replica that died
    await vi.waitFor(async () => expect(await generate(replicas[0]!.client, callers.oneStream.name)).toBeUndefined(), { timeout: 5000, interval: 100 });
    await held.release();
  });

  it("should hold the limits on each replica while Redis is down, rather than refuse every call", async () => {
    await redis.kill();
    const [a] = replicas as [(typeof replicas)[0]];
    expect(await generate(a.client, callers.oneStream.name)).toBeUndefined();
    const held = await holdStream(a.client, bearer(callers.oneStream.name));
    expect((await generate(a.client, callers.oneStream.name))?.rawMessage).toBe("this API key is over its limit of 1 concurrent streams (retry in 1 s)");
    await held.release();
    await redis.restart();
  });
});

describe.each(stalls)("per-caller limits on a Redis %s", (_, stall) => {
  it("should admit within the bound, hold the limits on this replica meanwhile, say so once each way, and count in Redis again once it answers", async () => {
    const own = await startRedisServer();
    const logger = recordingLogger();
    const replica = await startReplica({ url: own.url, logger, answerMs, probeMs: answerMs }).catch(async (error: unknown) => {
      await own.stop();
      throw error;
    });
    const { oneStream } = callers;
    try {
      const stalled = await stall(own);
      try {
        expect(await settlesWithin(generate(replica.client, oneStream.name))).toBeUndefined();
        await replica.server.settled();
        const held = await settlesWithin(holdStream(replica.client, bearer(oneStream.name)));
        expect((await settlesWithin(generate(replica.client, oneStream.name)))?.rawMessage).toBe("this API key is over its limit of 1 concurrent streams (retry in 1 s)");
        await held.release();
      } finally {
        await stalled.end();
      }
      await vi.waitFor(() => expect(logger.lines.filter((line) => line.redis === "answering")).toHaveLength(1));
      expect(logger.lines.filter((line) => line.redis === "unanswered")).toEqual([
        expect.objectContaining({ level: "warn", msg: `Redis has not answered for ${answerMs} ms: each replica holds callers' limits on its own until it answers again` }),
      ]);
      const counted = createRedisClient({ url: own.url });
      counted.on("error", () => {}); // the server stops at the end
      await counted.connect();
      const held = await holdStream(replica.client, bearer(oneStream.name));
      expect(await counted.zCard(`tokenwire:limits:{${oneStream.name}}:streams`)).toBe(1);
      await held.release();
      counted.destroy();
    } finally {
      await replica.server.close().then(() => replica.keys.close());
      replicas.splice(replicas.indexOf(replica), 1);
      await own.stop();
    }
  });
});
