import { describe, expect, it } from "vitest";
import { ConfigError } from "../../src/config/config-error.ts";
import { resumableConfigFromEnv } from "../../src/config/resumable-config.ts";

describe("resumableConfigFromEnv()", () => {
  it("should keep streams in memory, resumable on request, 30 s of grace, 10 minutes of retention and 128 MiB retained when nothing is set", () => {
    expect(resumableConfigFromEnv({})).toEqual({ redis: undefined, graceMs: 30_000, retentionMs: 600_000, maxRetainedBytes: 134_217_728, always: false });
  });

  it("should read REDIS_URL, TOKENWIRE_RESUMABLE, TOKENWIRE_RESUME_GRACE_MS, TOKENWIRE_STREAM_RETENTION_MS and TOKENWIRE_STREAM_RETAINED_BYTES, with Redis 2 s to answer", () => {
    const env = { REDIS_URL: "redis://10.0.0.5:6380/2", TOKENWIRE_RESUMABLE: "always", TOKENWIRE_RESUME_GRACE_MS: "5000", TOKENWIRE_STREAM_RETENTION_MS: "60000", TOKENWIRE_STREAM_RETAINED_BYTES: "5000" };
    const redis = { location: { url: "redis://10.0.0.5:6380/2" }, setting: { name: "REDIS_URL", shown: "redis://10.0.0.5:6380/2" }, answerMs: 2000 };
    expect(resumableConfigFromEnv(env)).toEqual({ redis, graceMs: 5000, retentionMs: 60_000, maxRetainedBytes: 5000, always: true });
  });

  it("should read TOKENWIRE_REDIS_FAILOVER_MS, and leave it to the topology when unset", () => {
    expect(resumableConfigFromEnv({ REDIS_CLUSTER_NODES: "redis://a:7000", TOKENWIRE_REDIS_FAILOVER_MS: "5000" }).redis?.failoverMs).toBe(5000);
    expect(resumableConfigFromEnv({ REDIS_URL: "redis://cache:6379", TOKENWIRE_REDIS_FAILOVER_MS: "0" }).redis?.failoverMs).toBe(0);
    expect(resumableConfigFromEnv({ REDIS_URL: "redis://cache:6379" }).redis?.failoverMs).toBeUndefined();
  });

  it("should read TOKENWIRE_REDIS_ANSWER_MS", () => {
    expect(resumableConfigFromEnv({ REDIS_URL: "redis://cache:6379", TOKENWIRE_REDIS_ANSWER_MS: "500" }).redis?.answerMs).toBe(500);
  });

  it.each([
    [{ TOKENWIRE_RESUMABLE: "yes" }, 'TOKENWIRE_RESUMABLE must be "always" (every StreamTokens call is resumable) or "request" (the calls that ask), not "yes"'],
    [{ REDIS_URL: "http://user:secret@cache:6379" }, 'REDIS_URL must be a redis://host:port or rediss://host:port URL, not "http://user:***@cache:6379"'],
    [{ TOKENWIRE_STREAM_RETENTION_MS: "0" }, 'TOKENWIRE_STREAM_RETENTION_MS must be a whole number of 1 or more, not "0"'],
    [{ TOKENWIRE_RESUME_GRACE_MS: "-1" }, 'TOKENWIRE_RESUME_GRACE_MS must be a whole number of 0 or more, not "-1"'],
    [{ REDIS_URL: "redis://cache:6379", TOKENWIRE_REDIS_ANSWER_MS: "0" }, 'TOKENWIRE_REDIS_ANSWER_MS must be a whole number of 1 or more, not "0"'],
    [{ REDIS_URL: "redis://cache:6379", TOKENWIRE_REDIS_FAILOVER_MS: "30s" }, 'TOKENWIRE_REDIS_FAILOVER_MS must be a whole number of 0 or more, not "30s"'],
  ])("should refuse %j with a ConfigError that names the setting", (env, message) => {
    expect(() => resumableConfigFromEnv(env)).toThrow(new ConfigError(message));
  });
});
