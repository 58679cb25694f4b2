import { codeBlock } from "../support/docs.ts";
import { describe, expect, it } from "vitest";
import { reachableUrl, startupSummary, type ServedFacts } from "../../src/app/startup-summary.ts";

const facts: ServedFacts = { address: "0.0.0.0", port: 8080, tls: false, model: "gpt-4o-mini at https://api.openai.com/v1", apiKeysFile: undefined };

describe("reachableUrl()", () => {
  it.each([
    ["0.0.0.0", false, "http://127.0.0.1:8080"],
    ["::", false, "http://localhost:8080"],
    ["::1", true, "https://[::1]:8080"],
    ["192.168.1.20", false, "http://192.168.1.20:8080"],
  ])("should give a server bound to %s (TLS %s) the URL %s", (address, tls, url) => {
    expect(reachableUrl({ address, port: 8080, tls })).toBe(url);
  });
});

describe("startupSummary()", () => {
  it("should say that the any-address listens on every interface, and give URLs on loopback", () => {
    const summary = startupSummary(facts);
    expect(summary.split("\n")[0]).toBe("tokenwire is listening on 0.0.0.0:8080 (every interface), over HTTP/1.1 and HTTP/2");
    expect(summary).toMatch(/^ {2}chat page +http:\/\/127\.0\.0\.1:8080\/$/m);
    expect(summary).toMatch(/^ {2}model +gpt-4o-mini at https:\/\/api\.openai\.com\/v1$/m);
    expect(summary).toContain('try it: npx tokenwire ask "hello"');
    expect(summary).not.toContain("\x1b[");
  });

  it("should say that calls need API keys, from which file, and put the key and the URL in the command to try", () => {
    const summary = startupSummary({ ...facts, address: "::", port: 9090, tls: true, apiKeysFile: "keys.json" });
    expect(summary.split("\n")[0]).toBe("tokenwire is listening on [::]:9090 (every interface), over HTTP/1.1 and HTTP/2 with TLS");
    expect(summary).toMatch(/^ {2}API keys +on: every call that streams needs authorization: Bearer <key> \(keys\.json\)$/m);
    expect(summary).toContain('try it: npx tokenwire ask -u https://localhost:9090 --api-key <key> "hello"');
  });

  it("should make the page's URL bold on a terminal with colours", () => {
    expect(startupSummary(facts, { color: true })).toContain("\x1b[1mhttp://127.0.0.1:8080/\x1b[22m");
  });

  it("should be what docs/service.md shows for npm start on its defaults", () => {
    const shown = codeBlock("docs/service.md", "# The service: `npm start`", "text");
    const local = { ...facts, model: "local (tokenwire's local demo model, no network)" };
    expect(shown).toBe(startupSummary(local));
  });
});
