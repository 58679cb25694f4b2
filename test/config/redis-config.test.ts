import { describe, expect, it } from "vitest";
import { redisConfigFromEnv } from "../../src/config/redis-config.ts";
import { ConfigError } from "../../src/config/config-error.ts";

describe("redisConfigFromEnv()", () => {
  it("should name no Redis when none of REDIS_URL, REDIS_CLUSTER_NODES and REDIS_SENTINELS is set", () => {
    expect(redisConfigFromEnv({ REDIS_URL: " ", TOKENWIRE_REDIS_ANSWER_MS: "500" })).toBeUndefined();
  });

  it("should read a cluster's seed URLs, and show them without their password", () => {
    const config = redisConfigFromEnv({ REDIS_CLUSTER_NODES: "redis://:secret@10.0.0.1:7000, redis://:secret@10.0.0.2:7000" });
    expect(config).toEqual({
      location: { clusterNodes: ["redis://:secret@10.0.0.1:7000", "redis://:secret@10.0.0.2:7000"] },
      setting: { name: "REDIS_CLUSTER_NODES", shown: "redis://:***@10.0.0.1:7000,redis://:***@10.0.0.2:7000" },
      answerMs: 2000,
    });
  });

  it("should read Sentinels' addresses and the master they watch", () => {
    const config = redisConfigFromEnv({ REDIS_SENTINELS: "10.0.0.1:26379,sentinel-b:26380,[::1]:26381", REDIS_SENTINEL_MASTER: "mymaster", TOKENWIRE_REDIS_ANSWER_MS: "700" });
    expect(config).toEqual({
      location: { sentinels: [{ host: "10.0.0.1", port: 26379 }, { host: "sentinel-b", port: 26380 }, { host: "::1", port: 26381 }], sentinelMaster: "mymaster" },
      setting: { name: "REDIS_SENTINELS", shown: "10.0.0.1:26379,sentinel-b:26380,[::1]:26381" },
      answerMs: 700,
    });
  });

  it.each([
    [{ REDIS_URL: "redis://a:6379", REDIS_CLUSTER_NODES: "redis://b:7000" }, "REDIS_URL and REDIS_CLUSTER_NODES are set, and each names a different Redis: set only one of them"],
    [{ REDIS_CLUSTER_NODES: "redis://b:7000", REDIS_SENTINELS: "c:26379", REDIS_SENTINEL_MASTER: "m" }, "REDIS_CLUSTER_NODES and REDIS_SENTINELS are set, and each names a different Redis: set only one of them"],
    [{ REDIS_CLUSTER_NODES: "redis://b:7000,b:7001" }, 'REDIS_CLUSTER_NODES must be comma-separated redis://host:port URLs of the cluster\'s nodes, not "b:7001"'],
    [{ REDIS_SENTINELS: "c:26379,c", REDIS_SENTINEL_MASTER: "m" }, 'REDIS_SENTINELS must be comma-separated host:port addresses of Sentinels, not "c"'],
    [{ REDIS_SENTINELS: "c:99999", REDIS_SENTINEL_MASTER: "m" }, 'REDIS_SENTINELS must be comma-separated host:port addresses of Sentinels, not "c:99999"'],
    [{ REDIS_SENTINELS: "c:26379" }, "REDIS_SENTINELS needs REDIS_SENTINEL_MASTER, the name the Sentinels watch the master under (as in their sentinel monitor line)"],
    [{ REDIS_URL: "redis://a:6379", REDIS_SENTINEL_MASTER: "m" }, "REDIS_SENTINEL_MASTER names the master that REDIS_SENTINELS watch: set REDIS_SENTINELS to their host:port list too, or unset it"],
  ])("should refuse %j with a ConfigError that says what to set", (env, message) => {
    expect(() => redisConfigFromEnv(env)).toThrow(new ConfigError(message));
  });
});
