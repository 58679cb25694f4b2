import { describe, expect, it } from "vitest";
import { ConfigError } from "../../src/config/config-error.ts";
import { parseApiKeys } from "../../src/config/api-keys-file.ts";

const keySha256 = "a".repeat(64);
const fileOf = (caller: Record<string, unknown>) => JSON.stringify({ callers: [{ name: "bob", keySha256, ...caller }] });

describe("parseApiKeys()", () => {
  it("should read a caller's limits", () => {
    expect(parseApiKeys(fileOf({ requestsPerMinute: 5 }), "keys.json")).toEqual([{ name: "bob", keySha256, requestsPerMinute: 5 }]);
  });

  it.each([
    ["a misspelt limit, with the limit it is nearest to", { maxConcurentStreams: 2 }, 'keys.json: callers[0] has the unknown field "maxConcurentStreams": did you mean "maxConcurrentStreams"?'],
    ["a field near none, with the fields there are", { tier: "gold" }, 'keys.json: callers[0] has the unknown field "tier": the fields are name, keySha256, maxConcurrentStreams, requestsPerMinute, outputTokensPerMinute'],
  ])("should refuse %s", (_, caller, message) => {
    expect(() => parseApiKeys(fileOf(caller), "keys.json")).toThrow(new ConfigError(message));
  });
});
