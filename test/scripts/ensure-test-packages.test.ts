import { execFile, execFileSync } from "node:child_process";
import { chmodSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, describe, expect, it, vi } from "vitest";
import { repoRoot } from "../fixtures/tokenwire-process.ts";
import { skipWithout } from "../support/test-tiers.ts";

// Programs that stand for the tiers' own: one that does what is asked of it (and says it is util-linux's script),
// one that fails (a python3 without grpcio).
const dir = mkdtempSync(join(tmpdir(), "tokenwire-tiers-"));
const program = (name: string, body: string) => {
  const path = join(dir, name);
  writeFileSync(path, `#!/bin/sh\n${body}\n`);
  chmodSync(path, 0o755);
  return path;
};
const works = program("works", "echo script from util-linux 2.38.1");
const fails = program("fails", "exit 1");
const nowhere = join(dir, "not-installed");
afterAll(() => rmSync(dir, { recursive: true, force: true }));

const bash = execFileSync("bash", ["-c", "command -v bash"], { encoding: "utf8" }).trim();

/**
 * Runs the pretest script as npm would, on a machine without Debian's tools:
 * its PATH holds an empty folder, so no dpkg-query, apt-get, nor anything but bash's builtins.
 */
function pretest(env: Record<string, string>): Promise<{ code: number; stdout: string; stderr: string }> {
  return new Promise((resolve) => {
    execFile(bash, ["scripts/ensure-test-packages.sh"], { cwd: repoRoot, env: { PATH: dir, ...env } }, (error, stdout, stderr) =>
      resolve({ code: error ? Number(error.code) : 0, stdout, stderr }),
    );
  });
}

/** The tiers' programs: each works unless given as another. */
const tiers = ({ browser = works, python = works, redis = works, script = works } = {}) => ({
  TOKENWIRE_TEST_CHROMIUM: browser,
  TOKENWIRE_TEST_PYTHON: python,
  TOKENWIRE_TEST_REDIS_SERVER: redis,
  TOKENWIRE_TEST_SCRIPT: script,
});

describe("scripts/ensure-test-packages.sh without dpkg-query", () => {
  it("should let the tests run, naming each tier it will skip and what that tier needs", async () => {
    const run = await pretest(tiers({ browser: nowhere, python: fails, redis: nowhere, script: fails }));
    expect(run).toEqual({
      code: 0,
      stdout: "",
      stderr:
        "these tiers of the tests will be skipped here, and the rest will run:\n" +
        `  the browser tests (test/browser) need Chromium (Debian: apt-get install chromium), and there is no ${nowhere} here\n` +
        `  the Python grpcio interop tests (test/interop/*python*) need python3 with grpcio and grpc_tools (Debian: apt-get install python3-grpcio python3-grpc-tools), and there is no ${fails} that imports grpc and grpc_tools here\n` +
        `  the Redis tests need redis-server 6.2 or later (Debian: apt-get install redis-server), and there is no ${nowhere} here\n` +
        `  the tests on a pseudo-terminal (test/app/startup-output, test/app/process-log) need util-linux's script (Debian: apt-get install bsdutils), and there is no ${fails} from util-linux here\n`,
    });
  });

  it("should say nothing when every tier's program is there", async () => {
    expect(await pretest(tiers())).toEqual({ code: 0, stdout: "", stderr: "" });
  });

  it("should name only the tier that cannot run", async () => {
    const run = await pretest(tiers({ redis: nowhere }));
    expect(run.code).toBe(0);
    expect(run.stderr.trimEnd().split("\n").slice(1)).toEqual([`  the Redis tests need redis-server 6.2 or later (Debian: apt-get install redis-server), and there is no ${nowhere} here`]);
  });

  it.each(["true", "1"])("should fail the run before any test with CI=%s, where every tier must run", async (ci) => {
    const run = await pretest({ ...tiers({ python: fails }), CI: ci });
    expect(run).toEqual({
      code: 1,
      stdout: "",
      stderr: `CI runs every tier of the tests, but:\n  the Python grpcio interop tests (test/interop/*python*) need python3 with grpcio and grpc_tools (Debian: apt-get install python3-grpcio python3-grpc-tools), and there is no ${fails} that imports grpc and grpc_tools here\n`,
    });
  });

  it("should take CI=false for no CI, as CI services spell it", async () => {
    expect(await pretest({ ...tiers({ redis: nowhere }), CI: "false" })).toMatchObject({ code: 0 });
  });
});

describe("skipWithout(), the tests' own side of the decision", () => {
  it("should let a tier run where its program is, and skip it with the reason where it is not", () => {
    const warn = vi.spyOn(console, "warn").mockImplementation(() => {});
    expect(skipWithout("redis", tiers())).toBeUndefined();
    const reason = `the Redis tests need redis-server 6.2 or later (Debian: apt-get install redis-server), and there is no ${nowhere} here`;
    expect(skipWithout("redis", tiers({ redis: nowhere }))).toBe(reason);
    expect(warn.mock.calls).toEqual([[`skipped: ${reason}`]]);
    warn.mockRestore();
  });

  it("should throw under CI rather than skip", () => {
    expect(() => skipWithout("browser", { ...tiers({ browser: nowhere }), CI: "true" })).toThrow(`CI runs every tier of the tests, but the browser tests (test/browser) need Chromium`);
  });
});
