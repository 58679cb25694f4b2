import { availableParallelism } from "node:os";
import { describe, expect, it } from "vitest";
import { workersFromEnv } from "../../src/app/workers-config.ts";
import { createRestartBackoff } from "../../src/app/restart-backoff.ts";

const redis = { REDIS_URL: "redis://127.0.0.1:6379" };

describe("workersFromEnv()", () => {
  it("should run one process when TOKENWIRE_WORKERS is unset or empty", () => {
    expect(workersFromEnv({})).toBe(1);
    expect(workersFromEnv({ TOKENWIRE_WORKERS: " " })).toBe(1);
  });

  it("should run one worker per core for auto, and the number given otherwise", () => {
    expect(workersFromEnv({ TOKENWIRE_WORKERS: "auto", ...redis })).toBe(availableParallelism());
    expect(workersFromEnv({ TOKENWIRE_WORKERS: "3", ...redis })).toBe(3);
  });

  it("should take 1 worker without Redis", () => {
    expect(workersFromEnv({ TOKENWIRE_WORKERS: "1" })).toBe(1);
  });
});

describe("createRestartBackoff()", () => {
  it("should double the wait for each exit soon after the last, up to the longest", () => {
    const backoff = createRestartBackoff({ firstMs: 100, maxMs: 1000, calmMs: 60_000 });
    expect([0, 1000, 2000, 3000, 4000, 5000].map((at) => backoff.delayAfterExit(at))).toEqual([100, 200, 400, 800, 1000, 1000]);
  });

  it("should start over after a calm spell", () => {
    const backoff = createRestartBackoff({ firstMs: 100, calmMs: 60_000 });
    backoff.delayAfterExit(0);
    backoff.delayAfterExit(1000);
    expect(backoff.delayAfterExit(62_000)).toBe(100);
  });
});
