import { execFile, spawn } from "node:child_process";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startFakeOpenAI, type FakeOpenAI } from "../fixtures/fake-openai.ts";
import { runTokenwireCli } from "../fixtures/tokenwire-cli.ts";
import { projectNode, repoRoot, startTokenwireProcess, type TokenwireProcess } from "../fixtures/tokenwire-process.ts";

// A reply far longer than any pipe holds, so that the CLI is still writing when the reader goes.
const long = "long-200000";

let upstream: FakeOpenAI;
let server: TokenwireProcess;
beforeAll(async () => {
  upstream = await startFakeOpenAI();
  server = await startTokenwireProcess({ upstreamUrl: upstream.url, models: ["gpt-test", long] });
});
afterAll(async () => {
  await server?.stop();
  await upstream?.close();
});

/** Runs a shell pipeline with the CLI as `tokenwire`; with pipefail, its status is the CLI's. */
function pipeline(script: string): Promise<{ code: number; stdout: string; stderr: string }> {
  const env = { PATH: process.env.PATH ?? "", TOKENWIRE_URL: server.url };
  const command = `set -o pipefail; tokenwire() { "${projectNode}" bin/tokenwire.js "$@"; }; ${script}`;
  return new Promise((resolve) => {
    execFile("bash", ["--norc", "-c", command], { cwd: repoRoot, env }, (error, stdout, stderr) => resolve({ code: error ? Number(error.code) : 0, stdout, stderr }));
  });
}

describe("tokenwire writing to a pipe its reader has closed", () => {
  it("should end ask --events | head -1 quietly with status 0, and close the upstream's request", async () => {
    const request = upstream.nextRequest();
    const run = await pipeline(`tokenwire ask --events -m ${long} hello | head -1`);
    expect({ code: run.code, stderr: run.stderr }).toEqual({ code: 0, stderr: "" });
    expect(JSON.parse(run.stdout)).toMatchObject({ sequence: "0", started: { model: long } });
    expect(await (await request).ended).toBe("client-closed");
  });

  it("should end ask | head -c 3, the answer as text, the same way", async () => {
    const request = upstream.nextRequest();
    expect(await pipeline(`tokenwire ask -m ${long} hello | head -c 3`)).toEqual({ code: 0, stdout: " t0", stderr: "" });
    expect(await (await request).ended).toBe("client-closed");
  });

  it("should end --help and stop quietly with status 0 when stdout was closed before they wrote", async () => {
    const asked = await runTokenwireCli(["ask", "--resumable", "hello"], { url: server.url });
    const streamId = /^stream id: (\S+)$/m.exec(asked.stderr)![1]!;
    for (const args of [["--help"], ["stop", streamId]]) {
      const child = spawn(projectNode, ["bin/tokenwire.js", ...args], { cwd: repoRoot, env: { PATH: process.env.PATH ?? "", TOKENWIRE_URL: server.url } });
      child.stdout.destroy(); // the reader is gone before the process has even started
      let stderr = "";
      child.stderr.setEncoding("utf8").on("data", (chunk: string) => (stderr += chunk));
      expect(await new Promise((resolve) => child.once("close", (code) => resolve({ code, stderr })))).toEqual({ code: 0, stderr: "" });
    }
  }, 60_000); // three runs of the CLI
});
