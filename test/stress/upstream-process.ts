// The fake upstream in a process of its own, so that a test can kill it or load it apart from the
// clients: prints its base URL on stdout.
import { spawn, type ChildProcess } from "node:child_process";
import { createInterface } from "node:readline";
import { fileURLToPath } from "node:url";
import { startFakeOpenAI } from "../fixtures/fake-openai.ts";
import { projectNode, repoRoot } from "../fixtures/tokenwire-process.ts";

/** Starts this file as a child process and resolves with it and the upstream's base URL. */
export async function spawnUpstream(): Promise<{ child: ChildProcess; url: string }> {
  const child = spawn(projectNode, [fileURLToPath(import.meta.url)], { cwd: repoRoot, stdio: ["ignore", "pipe", "inherit"] });
  const url = await new Promise<string>((resolve) => createInterface({ input: child.stdout! }).once("line", resolve));
  return { child, url };
}

if (process.argv[1] === fileURLToPath(import.meta.url)) {
  const upstream = await startFakeOpenAI();
  process.stdout.write(`${upstream.url}\n`);
}
