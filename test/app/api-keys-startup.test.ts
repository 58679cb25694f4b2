import { execFile } from "node:child_process";
import { createHash } from "node:crypto";
import { mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest";
import { ConnectError, createClient } from "@connectrpc/connect";
import { createConnectTransport } from "@connectrpc/connect-node";
import { TokenService } from "../../gen/tokenwire/v1/token_service_pb.js";
import { RetryInfoSchema } from "../../gen/google/rpc/error_details_pb.js";
import { startFakeOpenAI, type FakeOpenAI } from "../fixtures/fake-openai.ts";
import { projectNode, repoRoot, startTokenwireProcess, type TokenwireProcess } from "../fixtures/tokenwire-process.ts";
import { postGenerate } from "../support/post-generate.ts";

const dir = mkdtempSync(join(tmpdir(), "tokenwire-keys-"));
const key = "tw-alice-0123456789abcdef";
const keysFile = join(dir, "keys.json");
writeFileSync(keysFile, JSON.stringify({ callers: [{ name: "alice", keySha256: createHash("sha256").update(key).digest("hex"), requestsPerMinute: 1 }] }));

let upstream: FakeOpenAI;
let running: TokenwireProcess | undefined;
beforeAll(async () => {
  upstream = await startFakeOpenAI();
});
afterEach(() => running?.stop());
afterAll(() => upstream?.close());

const lines = (server: TokenwireProcess) => server.output.flatMap((line) => (line.startsWith("{") ? [JSON.parse(line) as Record<string, unknown>] : []));

describe("npm start with TOKENWIRE_API_KEYS_FILE", () => {
  it("should refuse a caller without a key, serve one with its key, and tell one over its limit when to retry", async () => {
    running = await startTokenwireProcess({ upstreamUrl: upstream.url, env: { TOKENWIRE_API_KEYS_FILE: keysFile } });
    const refused = await postGenerate(running.url);
    expect(refused.status).toBe(401);
    expect(await refused.json()).toMatchObject({ code: "unauthenticated" });
    expect((await postGenerate(running.url, `Bearer ${key}`)).status).toBe(200);
    const client = createClient(TokenService, createConnectTransport({ baseUrl: running.url, httpVersion: "1.1" }));
    const over = await client.generate({ generation: { input: { case: "prompt", value: "hi" } } }, { headers: { authorization: `Bearer ${key}` } }).catch((error: unknown) => error);
    expect(over).toBeInstanceOf(ConnectError);
    expect((over as ConnectError).findDetails(RetryInfoSchema)[0]?.retryDelay?.seconds).toBeGreaterThan(0n);
    expect((await fetch(`${running.url}/healthz`)).status).toBe(200);
    expect((await fetch(`${running.url}/metrics`)).status).toBe(200);
    expect(lines(running).find((line) => line.apiKeys === keysFile)).toMatchObject({ callers: 1, limits: "process" });
    expect(lines(running).some((line) => line.exposed)).toBe(false);
    expect(running.output.join("\n")).not.toContain(key);
  });
});

describe("npm start serving a paid upstream with no API keys", () => {
  it("should warn in one line, on an address other machines reach, what is exposed and how to close it", async () => {
    running = await startTokenwireProcess({ upstreamUrl: upstream.url, env: { HOST: "0.0.0.0" } });
    const warnings = lines(running).filter((line) => line.exposed);
    expect(warnings).toHaveLength(1);
    expect(warnings[0]).toMatchObject({ level: 40 });
    expect(warnings[0]!.msg).toMatch(
      /^anyone who can reach 0\.0\.0\.0:\d+ spends OPENAI_API_KEY through this server, which takes calls without API keys: set TOKENWIRE_API_KEYS_FILE to a keys file to require them, or HOST=127\.0\.0\.1 to serve this machine only$/,
    );
  });

  it("should not warn on loopback, or with API keys", async () => {
    running = await startTokenwireProcess({ upstreamUrl: upstream.url });
    expect(lines(running).some((line) => line.exposed)).toBe(false);
    await running.stop();
    running = await startTokenwireProcess({ upstreamUrl: upstream.url, env: { HOST: "0.0.0.0", TOKENWIRE_API_KEYS_FILE: keysFile } });
    expect(lines(running).some((line) => line.exposed)).toBe(false);
  });
});

describe("npm start with a keys file it cannot use", () => {
  const startFailing = (file: string) =>
    new Promise<{ code: number | null; stdout: string; stderr: string }>((resolve) => {
      const env = { PATH: process.env.PATH ?? "", HOST: "127.0.0.1", PORT: "0", TOKENWIRE_API_KEYS_FILE: file };
      const child = execFile(projectNode, ["src/app/main.ts"], { cwd: repoRoot, env, timeout: 20_000 }, (_error, stdout, stderr) => resolve({ code: child.exitCode, stdout, stderr }));
    });
  const write = (name: string, text: string) => (writeFileSync(join(dir, name), text), join(dir, name));

  it.for([
    ["a file that is not there", join(dir, "missing.json"), `TOKENWIRE_API_KEYS_FILE=${join(dir, "missing.json")} cannot be read (no such file): set it to a JSON file of callers this user can read`],
    ["a directory", dir, `TOKENWIRE_API_KEYS_FILE=${dir} cannot be read (a directory): set it to a JSON file of callers this user can read`],
    ["a file that is not JSON", write("broken.json", "{callers"), `TOKENWIRE_API_KEYS_FILE=${join(dir, "broken.json")} is not JSON: write {"callers":[{"name":"…","keySha256":"…"}]}`],
    [
      "a key that is not a SHA-256",
      write("plain.json", '{"callers":[{"name":"bob","keySha256":"sk-plain-key"}]}'),
      `TOKENWIRE_API_KEYS_FILE=${join(dir, "plain.json")}: callers[0].keySha256 must be the key's SHA-256 as 64 hex digits (printf %s "$KEY" | sha256sum)`,
    ],
    [
      "a limit misspelt",
      write("typo.json", `{"callers":[{"name":"bob","keySha256":"${"a".repeat(64)}","requestPerMinute":5}]}`),
      `TOKENWIRE_API_KEYS_FILE=${join(dir, "typo.json")}: callers[0] has the unknown field "requestPerMinute": did you mean "requestsPerMinute"?`,
    ],
  ] as const)("should stop with one line and exit 1 for %s", async ([, file, line]) => {
    expect(await startFailing(file)).toEqual({ code: 1, stdout: "", stderr: `tokenwire: cannot start: ${line}\n` });
  });
});
