import { describe, expect, it } from "vitest";
import { corsOptionsFromEnv } from "../../src/config/cors-options-from-env.ts";

describe("corsOptionsFromEnv()", () => {
  it("should read TOKENWIRE_CORS_ORIGINS as a comma-separated list, and none when unset", () => {
    expect(corsOptionsFromEnv({ TOKENWIRE_CORS_ORIGINS: " https://a.example, https://b.example/ " }).origins).toEqual(["https://a.example", "https://b.example"]);
    expect(corsOptionsFromEnv({}).origins).toEqual([]);
  });
});
