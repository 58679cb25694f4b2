import { execFile } from "node:child_process";
import { describe, expect, it } from "vitest";
import { startInTerminal } from "../fixtures/terminal.ts";
import { projectNode, repoRoot } from "../fixtures/tokenwire-process.ts";
import { skipWithout } from "../support/test-tiers.ts";

/** Runs the fixture to its end: its exit code and what it wrote. */
function run(failure: "throw" | "reject"): Promise<{ code: number | null; stdout: string; stderr: string }> {
  return new Promise((resolve) => {
    const child = execFile(projectNode, ["test/fixtures/process-log-child.ts", failure], { cwd: repoRoot, timeout: 20_000 }, (_error, stdout, stderr) =>
      resolve({ code: child.exitCode, stdout, stderr }),
    );
  });
}

describe("logProcessEvents()", () => {
  it.for([
    ["throw", "uncaughtException", "a thrown fault"],
    ["reject", "unhandledRejection", "a rejected fault"],
  ] as const)("should log Node's warnings and an uncaught %s as JSON lines, once each, with no absolute path, and exit 1", async ([failure, origin, message]) => {
    const { code, stdout, stderr } = await run(failure);
    expect({ code, stderr }, stdout).toEqual({ code: 1, stderr: "" });
    const lines = stdout.trimEnd().split("\n").map((line) => JSON.parse(line) as { level: number; warning?: { type: string }; error?: { message: string; stack: string }; origin?: string });
    expect(lines.map((line) => [line.level, line.warning?.type ?? line.origin])).toEqual([
      [40, "TimeoutOverflowWarning"],
      [40, "DeprecationWarning"],
      [60, origin],
    ]);
    expect(lines[2]?.error).toMatchObject({ message, stack: expect.stringContaining("test/fixtures/process-log-child.ts") });
    expect(stdout).not.toContain(repoRoot);
  });

  it.skipIf(skipWithout("terminal"))("should say the same on a terminal as lines for a person, the uncaught error's stack below its line, and exit 1", async () => {
    const terminal = startInTerminal(["test/fixtures/process-log-child.ts", "throw"], { PATH: process.env.PATH ?? "", NO_COLOR: "1" });
    expect(await terminal.exited).toBe(1);
    const [timeout, deprecation, fatal, frame] = terminal.screen().split("\n");
    expect(timeout).toMatch(/^\d\d:\d\d:\d\d {2}warning {2}node warning: TimeoutOverflowWarning: /);
    expect(deprecation).toMatch(/^\d\d:\d\d:\d\d {2}warning {2}node warning: DeprecationWarning: an old API$/);
    expect(fatal).toMatch(/^\d\d:\d\d:\d\d {2}error {2}the process stops on an uncaught exception: a thrown fault$/);
    expect(frame).toMatch(/^ {4}at .*test\/fixtures\/process-log-child\.ts:\d+:\d+/);
    expect(terminal.screen()).not.toContain(repoRoot);
  });
});
