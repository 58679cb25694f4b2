import { availableParallelism } from "node:os";
import { describe, expect, it } from "vitest";
import { workersFromEnv } from "../../src/config/workers-config.ts";

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
