import { describe, expect, it } from "vitest";
import { createRestartBackoff } from "../../src/app/restart-backoff.ts";

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
