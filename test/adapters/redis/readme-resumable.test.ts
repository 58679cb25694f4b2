import { execFile } from "node:child_process";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { promisify } from "node:util";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { HumanMessage } from "@langchain/core/messages";
import { localReply } from "../../../src/models/local-chat-model.ts";
import { startRedisServer, type RedisServer } from "../../fixtures/redis-server.ts";
import { projectNode } from "../../fixtures/tokenwire-process.ts";
import { skipWithout } from "../../support/test-tiers.ts";
import { codeBlock, withSourceImports } from "../../support/docs.ts";

describe.skipIf(skipWithout("redis"))("createRedisStreamLog() in docs/resumable-streams.md", () => {
  let redis: RedisServer;
  const dir = mkdtempSync(join(tmpdir(), "tokenwire-readme-"));
  beforeAll(async () => {
    redis = await startRedisServer();
  });
  afterAll(async () => {
    await redis?.stop();
    rmSync(dir, { recursive: true, force: true });
  });

  it("should run the example: a client that leaves after three events, then the rest resumed, exactly", async () => {
    const file = join(dir, "resumable.ts");
    // The example as shown, its package imports aimed at the sources.
    writeFileSync(file, withSourceImports(codeBlock("docs/resumable-streams.md", "# Resumable streams", "ts")));
    const { stdout } = await promisify(execFile)(projectNode, [file], { env: { PATH: process.env.PATH, REDIS_URL: redis.url }, timeout: 20_000 });
    expect(stdout).toBe(localReply([new HumanMessage("hello")]));
  });
});
