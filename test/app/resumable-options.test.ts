import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { LocalChatModel, silentLogger, tokenwireFrom } from "../../src/index.ts";
import { ConfigError } from "../../src/config/config-error.ts";
import { resumableConfigFromEnv } from "../../src/config/resumable-config.ts";
import { resumableOptions } from "../../src/app/resumable-options.ts";
import { startRedisServer, type RedisServer } from "../fixtures/redis-server.ts";
import { collect } from "../support/collect.ts";
import { skipWithout } from "../support/test-tiers.ts";

describe.skipIf(skipWithout("redis"))("resumableOptions()", () => {
  let redis: RedisServer;
  beforeAll(async () => {
    redis = await startRedisServer();
  });
  afterAll(() => redis?.stop());

  it("should name an unreachable Redis, without its password, in a ConfigError", async () => {
    const down = await startRedisServer();
    await down.stop();
    const url = down.url.replace("redis://", "redis://:secret@");
    const config = resumableConfigFromEnv({ REDIS_URL: url });
    await expect(resumableOptions(config, silentLogger)).rejects.toThrow(
      new ConfigError(`REDIS_URL=${down.url.replace("redis://", "redis://:***@")} cannot be reached (connect ECONNREFUSED 127.0.0.1:${down.port}): start Redis there, or unset REDIS_URL to keep resumable streams in this process`),
    );
  });

  it.each([
    ["in memory", false],
    ["in Redis", true],
  ])("should make every stream resumable with TOKENWIRE_RESUMABLE=always, %s", async (_, inRedis) => {
    const config = resumableConfigFromEnv({ TOKENWIRE_RESUMABLE: "always", ...(inRedis && { REDIS_URL: redis.url }) });
    const streams = await resumableOptions(config, silentLogger);
    const tokenwire = tokenwireFrom({ model: new LocalChatModel({ tokensPerSecond: 0 }), streams });
    const { events } = await collect(tokenwire.streamTokens({ prompt: "hi" }));
    const started = events[0];
    expect(started?.type === "started" && started.streamId).toMatch(/^[\w-]{36}$/);
    expect((await collect(tokenwire.resumeStream(started?.type === "started" ? started.streamId! : "", 0))).events.at(-1)?.type).toBe("finished");
    await streams.log.close();
  });
});
