import { createHash } from "node:crypto";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { silentLogger } from "../../src/core/logger.ts";
import { apiKeyAuthenticator, type ApiKeyAuthenticator } from "../../src/server/api-keys.ts";
import type { ApiKeyCaller } from "../../src/config/api-keys-file.ts";
import { createLocalLimits, type LimitStore } from "../../src/server/caller-limits.ts";
import { createRedisLimits } from "../../src/app/redis-limits.ts";
import { startRedisServer, type RedisServer } from "../fixtures/redis-server.ts";
import { startTokenwireServer, type TestServer } from "../support/tokenwire-test-server.ts";
import { authorization, wiresOf, type Mode } from "../support/wires.ts";

// Every limit of a key, on every wire, for plain and resumable streams, counted in this process and in Redis.

const limits = {
  streams: { maxConcurrentStreams: 1 },
  requests: { requestsPerMinute: 2 },
  tokens: { outputTokensPerMinute: 5 },
};

let redis: RedisServer;
beforeAll(async () => (redis = await startRedisServer()));
afterAll(() => redis?.stop());

const stores: [string, () => Promise<LimitStore>][] = [
  ["counted in this process", async () => createLocalLimits()],
  ["counted in Redis", () => createRedisLimits({ url: redis.url, logger: silentLogger })],
];

describe.each(stores)("a key's limits, %s", (_store, createStore) => {
  let server: TestServer;
  let keys: ApiKeyAuthenticator;
  const callers: ApiKeyCaller[] = [];
  // A caller of its own for every test, so that no test spends another's limits.
  const keyFor = (limit: keyof typeof limits, wire: string, mode: Mode) => {
    const name = `${limit}-${wire}-${mode}`.replace(/\W+/g, "-");
    return { key: `tw-${name}-key`, name };
  };
  const wires = wiresOf(() => server);
  for (const wire of wires) {
    for (const mode of wire.modes) {
      for (const limit of Object.keys(limits) as (keyof typeof limits)[]) {
        const { key, name } = keyFor(limit, wire.name, mode);
        callers.push({ name, keySha256: createHash("sha256").update(key).digest("hex"), ...limits[limit] });
      }
    }
  }

  beforeAll(async () => {
    keys = apiKeyAuthenticator(callers, { limits: await createStore() });
    // A grace period far longer than any test: a generation left without a reader goes on, and keeps its lease.
    server = await startTokenwireServer({ authenticate: keys.authenticate, limiter: keys.limiter, streams: { graceMs: 600_000 } });
  });
  afterAll(async () => {
    await server.close();
    await keys.close();
  });

  const cases = wires.flatMap((wire) => wire.modes.map((mode) => [`${wire.name}, ${mode}`, wire, mode] as const));

  describe.each(cases)("over %s", (_name, wire, mode) => {
    it("should hold a caller to one stream at once while its generation runs, read or not", async () => {
      const { key } = keyFor("streams", wire.name, mode);
      const held = await wire.hold(key, mode);
      expect(await wire.run(key, mode)).toBe("resource_exhausted");
      await held.drop();
      if (mode === "resumable") {
        // The reader left; the generation it started goes on for its grace period, and still holds the lease.
        expect(await wire.run(key, mode)).toBe("resource_exhausted");
        expect(await server.server.tokenwire.stopStream(held.streamId!, { headers: new Headers(authorization(key)) })).toBe(true);
      }
      await server.settled();
      expect(await wire.run(key, mode)).toBe("ok");
    });

    it("should hold a caller to its requests a minute", async () => {
      const { key } = keyFor("requests", wire.name, mode);
      expect([await wire.run(key, mode), await wire.run(key, mode), await wire.run(key, mode)]).toEqual(["ok", "ok", "resource_exhausted"]);
    });

    it("should hold a caller to its output tokens a minute", async () => {
      const { key } = keyFor("tokens", wire.name, mode);
      // The first stream spends ten tokens of a budget of five a minute: the next waits for the bucket to refill.
      expect([await wire.run(key, mode), await wire.run(key, mode)]).toEqual(["ok", "resource_exhausted"]);
    });
  });

  it("should let a caller limited to one stream start a resumable stream, drop it, and resume it to its end", async () => {
    const { key } = keyFor("streams", "in process", "resumable");
    const headers = new Headers(authorization(key));
    const tokenwire = server.server.tokenwire;
    const iterator = tokenwire.streamTokens({ prompt: "hi", model: "paced-20" }, { headers, resumable: true })[Symbol.asyncIterator]();
    const first = (await iterator.next()).value;
    await iterator.return?.();
    const streamId = first?.type === "started" ? first.streamId! : "";
    const resumed = [];
    for await (const event of tokenwire.resumeStream(streamId, 0, { headers })) resumed.push(event);
    expect(resumed.at(-1)).toMatchObject({ type: "finished", finishReason: "stop" });
    await server.settled();
  });
});
