import { spawn, type ChildProcess } from "node:child_process";
import { createHash } from "node:crypto";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { createInterface } from "node:readline";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { HumanMessage } from "@langchain/core/messages";
import { localReply } from "../../src/models/local-chat-model.ts";
import { projectNode, stopProcess } from "../fixtures/tokenwire-process.ts";
import { codeBlock, withSourceImports } from "../support/docs.ts";
import { postGenerate } from "../support/post-generate.ts";

const key = "tw-docs-caller-key";
const dir = mkdtempSync(join(tmpdir(), "tokenwire-docs-keys-"));
let child: ChildProcess;
let baseUrl: string;

// The embedder's snippet as shown, its package imports aimed at the sources, beside a keys file that names one caller;
// on the local demo model at full speed, as modelsFromEnv() gives it with no upstream set.
beforeAll(async () => {
  writeFileSync(join(dir, "keys.json"), JSON.stringify({ callers: [{ name: "docs", keySha256: createHash("sha256").update(key).digest("hex") }] }));
  writeFileSync(join(dir, "server.ts"), withSourceImports(codeBlock("docs/api-keys.md", "# API keys and per-caller limits", "ts")));
  child = spawn(projectNode, ["server.ts"], { cwd: dir, env: { PATH: process.env.PATH ?? "", PORT: "0", TOKENWIRE_LOCAL_TOKENS_PER_SECOND: "0" } });
  const port = await new Promise<string>((resolve, reject) => {
    createInterface({ input: child.stdout! }).on("line", (line) => {
      const port = /^listening on .*port: (\d+)/.exec(line)?.[1];
      if (port) resolve(port);
    });
    child.once("exit", (code) => reject(new Error(`the snippet exited (${code}) before listening`)));
  });
  baseUrl = `http://127.0.0.1:${port}`;
});
afterAll(async () => {
  if (child) await stopProcess(child);
  rmSync(dir, { recursive: true, force: true });
});

describe("the embedder's API keys in docs/api-keys.md", () => {
  it("should refuse a call without a key, and one with a key not in the file, as unauthenticated", async () => {
    for (const authorization of [undefined, "Bearer tw-not-a-caller"]) {
      const refused = await postGenerate(baseUrl, authorization);
      expect(refused.status).toBe(401);
      expect(await refused.json()).toMatchObject({ code: "unauthenticated" });
    }
  });

  it("should answer the caller whose key's hash the file holds", async () => {
    const answered = await postGenerate(baseUrl, `Bearer ${key}`);
    expect(await answered.json()).toMatchObject({ text: localReply([new HumanMessage("hi")]), finishReason: "FINISH_REASON_STOP" });
  });
});
