import { describe, expect, it } from "vitest";
import { cors } from "@connectrpc/connect";
import { corsHeaders } from "../../src/adapters/cors-headers.ts";

const page = "https://chat.example.com";
const preflight = { method: "OPTIONS", origin: page, requestMethod: "POST" };

describe("corsHeaders()", () => {
  it("should allow Connect's and gRPC-Web's methods and headers, DELETE and Authorization, to an allowed origin's preflight", () => {
    const headers = corsHeaders(preflight, { origins: [page] });
    expect(headers["access-control-allow-origin"]).toBe(page);
    expect(headers.vary).toBe("Origin");
    expect(headers["access-control-allow-methods"]!.split(", ")).toEqual([...cors.allowedMethods, "DELETE"]);
    expect(headers["access-control-allow-headers"]!.split(", ")).toEqual([...cors.allowedHeaders, "Authorization"]);
  });

  it("should expose the gRPC-Web status headers on an allowed origin's response", () => {
    const headers = corsHeaders({ ...preflight, method: "POST", requestMethod: null }, { origins: [page] });
    expect(headers["access-control-expose-headers"]!.split(", ")).toEqual(cors.exposedHeaders);
  });

  it("should give no CORS headers to other origins, or to any by default", () => {
    expect(corsHeaders({ ...preflight, origin: "https://evil.example" }, { origins: [page] })).toEqual({});
    expect(corsHeaders(preflight)).toEqual({});
  });

  it("should allow any origin with *, without varying on it", () => {
    const headers = corsHeaders(preflight, { origins: ["*"] });
    expect(headers["access-control-allow-origin"]).toBe("*");
    expect(headers.vary).toBeUndefined();
  });
});
