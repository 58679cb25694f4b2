import { execFile } from "node:child_process";
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { promisify } from "node:util";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { HumanMessage } from "@langchain/core/messages";
import { localReply } from "../../../src/models/local-chat-model.ts";
import { startRedisServer, type RedisServer } from "../../fixtures/redis-server.ts";
import { projectNode, repoRoot } from "../../fixtures/tokenwire-process.ts";
import { skipWithout } from "../../support/test-tiers.ts";

let redis: RedisServer;
const dir = mkdtempSync(join(tmpdir(), "tokenwire-readme-"));
beforeAll(async () => {
  redis = await startRedisServer();
});
afterAll(async () => {
  await redis?.stop();
  rmSync(dir, { recursive: true, force: true });
});

// The README's example of a resumable stream in Redis, as shown, its package imports aimed at the sources.
function readmeExample(): string {
  const readme = readFileSync(join(repoRoot, "README.md"), "utf8");
  const section = readme.split(/^## /m).find((part) => part.startsWith("Resumable streams\n")) ?? "";
  const code = /```ts\n([\s\S]*?)```/.exec(section)?.[1] ?? "";
  return code.replace('from "tokenwire";', `from "${join(repoRoot, "src/index.ts")}";`).replace('from "tokenwire/redis";', `from "${join(repoRoot, "src/adapters/redis/index.ts")}";`);
}

describe.skipIf(skipWithout("redis"))("createRedisStreamLog() in the README", () => {
  it("should run the example: a client that leaves after three events, then the rest resumed, exactly", async () => {
    const file = join(dir, "resumable.ts");
    writeFileSync(file, readmeExample());
    const { stdout } = await promisify(execFile)(projectNode, [file], { env: { PATH: process.env.PATH, REDIS_URL: redis.url }, timeout: 20_000 });
    expect(stdout).toBe(localReply([new HumanMessage("hello")]));
  });
});
