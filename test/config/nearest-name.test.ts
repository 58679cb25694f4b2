import { describe, expect, it } from "vitest";
import { nearestName } from "../../src/config/nearest-name.ts";

const names = ["TOKENWIRE_API_KEY", "TOKENWIRE_API_KEYS_FILE", "TOKENWIRE_MAX_STREAMS", "TOKENWIRE_MAX_TOKENS"];

describe("nearestName()", () => {
  it.each([
    ["a letter dropped", "TOKENWIRE_MAX_STREAM", "TOKENWIRE_MAX_STREAMS"],
    ["a letter dropped in the middle", "TOKENWIRE_API_KEY_FILE", "TOKENWIRE_API_KEYS_FILE"],
    ["two neighbours swapped, as one edit", "TOKENWIRE_MAX_TOKNES", "TOKENWIRE_MAX_TOKENS"],
    ["another case", "tokenwire_max_tokens", "TOKENWIRE_MAX_TOKENS"],
  ])("should find the name meant despite %s", (_, name, meant) => {
    expect(nearestName(name, names, { within: 1 })).toBe(meant);
  });

  it("should find none beyond reach", () => {
    expect(nearestName("TOKENWIRE_MAX_CALLERS", names, { within: 2 })).toBeUndefined();
    expect(nearestName("TOKENWIRE_MAX_TOKNES", names, { within: 0 })).toBeUndefined();
  });
});
