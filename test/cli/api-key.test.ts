import { createHash } from "node:crypto";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { defaultTokens, startFakeOpenAI, type FakeOpenAI } from "../fixtures/fake-openai.ts";
import { runTokenwireCli, type CliRun } from "../fixtures/tokenwire-cli.ts";
import { startTokenwireProcess, type TokenwireProcess } from "../fixtures/tokenwire-process.ts";

// npm start with a keys file of one caller, and the CLI as a user runs it against it.
const key = "tw-cli-caller-0123456789abcdef";
const dir = mkdtempSync(join(tmpdir(), "tokenwire-cli-keys-"));
const keysFile = join(dir, "keys.json");
writeFileSync(keysFile, JSON.stringify({ callers: [{ name: "cli", keySha256: createHash("sha256").update(key).digest("hex") }] }));

let upstream: FakeOpenAI;
let server: TokenwireProcess;
beforeAll(async () => {
  upstream = await startFakeOpenAI();
  server = await startTokenwireProcess({ upstreamUrl: upstream.url, env: { TOKENWIRE_API_KEYS_FILE: keysFile, TOKENWIRE_RESUMABLE: "always" } });
});
afterAll(async () => {
  await server?.stop();
  await upstream?.close();
  rmSync(dir, { recursive: true, force: true });
});

const reply = `${defaultTokens.join("")}\n`;
const noKey = "error: unauthenticated: this server needs an API key (send the header authorization as Bearer and the key); this call sent no API key: pass one with --api-key or TOKENWIRE_API_KEY\n";
const tokenwire = (args: string[], env: Record<string, string> = {}): Promise<CliRun> => runTokenwireCli(args, { url: server.url, env });
const printed = (run: CliRun) => run.stdout + run.stderr;

describe("tokenwire with an API key", () => {
  it.each(["connect", "grpc", "grpc-web"])("should be refused over %s without a key, in one line that says how to send one", async (protocol) => {
    expect(await tokenwire(["ask", "-p", protocol, "hello"])).toEqual({ code: 1, stdout: "", stderr: noKey });
  });

  it.each(["connect", "grpc", "grpc-web"])("should stream over %s with --api-key, and print no key", async (protocol) => {
    const run = await tokenwire(["ask", "-p", protocol, "--api-key", key, "hello"]);
    expect({ code: run.code, stdout: run.stdout }).toEqual({ code: 0, stdout: reply });
    expect(printed(run)).not.toContain(key);
  });

  it("should stream with TOKENWIRE_API_KEY, and take --api-key over it", async () => {
    expect(await tokenwire(["ask", "hello"], { TOKENWIRE_API_KEY: key })).toMatchObject({ code: 0, stdout: reply });
    const wrong = await tokenwire(["ask", "--api-key", "tw-not-in-the-file", "hello"], { TOKENWIRE_API_KEY: key });
    expect(wrong).toEqual({ code: 1, stdout: "", stderr: "error: unauthenticated: the API key is not known here\n" });
  });

  it("should send the key with ask --resume and stop, which are refused without it", async () => {
    const started = await tokenwire(["ask", "hello"], { TOKENWIRE_API_KEY: key });
    const streamId = /^stream id: (\S+)$/m.exec(started.stderr)![1]!;
    expect(await tokenwire(["ask", "--resume", streamId])).toEqual({ code: 1, stdout: "", stderr: noKey });
    expect(await tokenwire(["stop", streamId])).toEqual({ code: 1, stdout: "", stderr: noKey });
    expect(await tokenwire(["ask", "--resume", streamId, "--api-key", key])).toEqual({ code: 0, stdout: reply, stderr: "" });
    expect(await tokenwire(["stop", streamId], { TOKENWIRE_API_KEY: key })).toEqual({ code: 0, stdout: `${streamId} had already ended: nothing to stop\n`, stderr: "" });
  }, 60_000); // five runs of the CLI

  it.each([
    [["--api-key", "tw-with a-space"], {}, "--api-key"],
    [[], { TOKENWIRE_API_KEY: "tw-line\nbreak" }, "TOKENWIRE_API_KEY"],
    [["--api-key", "tw-clé"], {}, "--api-key"],
  ])("should refuse a key no header can carry (%j %j) without repeating it", async (args, env, name) => {
    const run = await tokenwire(["ask", ...args, "hello"], env);
    expect(run).toEqual({ code: 2, stdout: "", stderr: `error: invalid_argument: ${name} holds a space, a control or a non-ASCII character, which an authorization header cannot carry\n(tokenwire --help lists the options)\n` });
  });

  it("should never let the key reach the server's log", () => {
    expect(server.output.join("\n")).not.toContain(key);
  });
});
