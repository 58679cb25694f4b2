import { spawn, type ChildProcess } from "node:child_process";
import { createHash } from "node:crypto";
import { existsSync } from "node:fs";
import { mkdir, symlink, writeFile } from "node:fs/promises";
import { dirname, join } from "node:path";
import { createInterface } from "node:readline";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { defaultTokens, startFakeOpenAI, type FakeOpenAI } from "../fixtures/fake-openai.ts";
import { packPackage, type PackedPackage } from "../fixtures/packed-package.ts";
import { projectNode } from "../fixtures/tokenwire-process.ts";
import { postGenerate } from "../support/post-generate.ts";

const key = "tw-packed-caller-key";
let packed: PackedPackage;
let upstream: FakeOpenAI;
let child: ChildProcess | undefined;
let lines: string[] = [];

beforeAll(async () => {
  [packed, upstream] = await Promise.all([packPackage(), startFakeOpenAI()]);
  // What `npm install` does for a package's bin, which unpacking a tarball does not.
  await mkdir(join(packed.dir, "node_modules/.bin"), { recursive: true });
  await symlink("../tokenwire/bin/tokenwire.js", join(packed.dir, "node_modules/.bin/tokenwire"));
  const keySha256 = createHash("sha256").update(key).digest("hex");
  await writeFile(join(packed.dir, "keys.json"), JSON.stringify({ callers: [{ name: "packed", keySha256 }] }));
}, 180_000);
afterAll(async () => {
  if (child?.exitCode === null) process.kill(-child.pid!, "SIGKILL");
  await upstream?.close();
  await packed?.remove();
});

// `npx tokenwire serve` in the consumer's directory, in a process group of its own (npx, and the server under
// it); the project's Node first on PATH, as the package's engines want. Resolves with the port and the server's
// process id, which it logs.
function npxServe(env: Record<string, string>): Promise<{ port: number; pid: number }> {
  child = spawn("npx", ["--offline", "tokenwire", "serve"], {
    cwd: packed.dir,
    env: { PATH: `${dirname(projectNode)}:${process.env.PATH ?? ""}`, HOME: process.env.HOME ?? "", ...env },
    detached: true,
    stdio: ["ignore", "pipe", "pipe"],
  });
  lines = [];
  createInterface({ input: child.stderr! }).on("line", (line) => lines.push(line));
  return new Promise((resolve, reject) => {
    createInterface({ input: child!.stdout! }).on("line", (line) => {
      lines.push(line);
      if (line.includes('"msg":"tokenwire listening')) resolve(JSON.parse(line) as { port: number; pid: number });
    });
    child!.once("exit", (code) => reject(new Error(`npx tokenwire serve exited (${code}):\n${lines.join("\n")}`)));
  });
}

describe("npx tokenwire serve from the packed package", () => {
  it("should ship the page bundled, and neither web/ nor esbuild's need", () => {
    expect(packed.files).toEqual(expect.arrayContaining(["dist/web/index.html", "dist/web/app.js", "dist/web/app.css", "dist/cli/serve-command.js"]));
    expect(existsSync(join(packed.dir, "node_modules/tokenwire/web"))).toBe(false);
  });

  it("should serve npm start's server with the same configuration, the page, /metrics, and stop on SIGTERM with exit 0", async () => {
    const { port, pid } = await npxServe({ HOST: "127.0.0.1", PORT: "0", OPENAI_BASE_URL: upstream.url, OPENAI_API_KEY: "sk-test", OPENAI_MAX_RETRIES: "0", TOKENWIRE_API_KEYS_FILE: "keys.json" });
    const url = `http://127.0.0.1:${port}`;
    expect((await postGenerate(url)).status).toBe(401);
    const answered = await postGenerate(url, `Bearer ${key}`);
    expect(await answered.json()).toMatchObject({ text: defaultTokens.join(""), finishReason: "FINISH_REASON_STOP" });
    const page = await fetch(`${url}/`);
    expect(page.status).toBe(200);
    expect(await page.text()).toContain("app.js");
    const script = await fetch(`${url}/app.js`);
    expect(script.headers.get("content-type")).toBe("text/javascript; charset=utf-8");
    expect((await script.text()).length).toBeGreaterThan(1000);
    expect(await (await fetch(`${url}/metrics`)).text()).toContain('tokenwire_usage_tokens_total{model="gpt-4o-mini",caller="packed",type="output"} 10');
    const exited = new Promise<number | null>((resolve) => child!.once("exit", resolve));
    // As a supervisor stops it: the server process itself, which npx then exits with.
    process.kill(pid, "SIGTERM");
    expect(await exited).toBe(0);
    expect(lines.some((line) => line.includes('"msg":"stopped"'))).toBe(true);
  });

  it("should stop with one line and exit 1 for a setting it cannot run with", async () => {
    const failed = npxServe({ PORT: "99999" }).catch((error: Error) => error.message);
    expect(await failed).toMatch(/exited \(1\)/);
    expect(lines).toContain('tokenwire: cannot start: PORT must be a port number from 0 to 65535 (0 picks a free port), not "99999"');
  });
});
