import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createRedisStreamLog } from "../../../src/adapters/redis/index.ts";
import type { StreamLog } from "../../../src/index.ts";
import { sentinelMaster, startRedisSentinels, type RedisSentinels } from "../../fixtures/redis-sentinel.ts";
import { recordingLogger } from "../../support/redis-stall.ts";
import { untilReplicating } from "../../fixtures/redis-server.ts";
import { lagReplica, streamThroughFailover, untilMaster } from "../../support/redis-failover.ts";
import { skipWithout } from "../../support/test-tiers.ts";

// A master, its replica and three Sentinels of their own: the test kills the master.
let sentinels: RedisSentinels;
beforeAll(async () => {
  if (!skipWithout("redis")) sentinels = await startRedisSentinels({ count: 3 });
}, 60_000);
afterAll(() => sentinels?.stop());

describe.skipIf(skipWithout("redis"))("the master Sentinel names killed mid-stream", () => {
  it("should give every reader of 50 streams every event once, in order, write again what the dead master had acknowledged, and take the master back as a replica", async () => {
    const logger = recordingLogger();
    const open = () => createRedisStreamLog({ sentinels: sentinels.all, sentinelMaster, heartbeatMs: 100, failoverMs: 30_000, logger });
    const logs: StreamLog[] = [await open(), await open()];
    try {
      const ids = Array.from({ length: 50 }, (_, i) => `failover-${i}`);
      const { master, replica } = sentinels;
      await streamThroughFailover({
        ...{ writerLog: logs[0]!, readerLog: logs[1]!, ids, deltas: 30 },
        lag: () => lagReplica({ master, replica, ms: 1500 }),
        kill: async () => {
          await master.kill();
          await untilMaster(replica);
        },
      });
      // Every stream lost the third the replica never got, and got it again.
      const repaired = logger.lines.filter((line) => line.redis === "repaired");
      expect(new Set(repaired.map((line) => line.streamId))).toEqual(new Set(ids));
      for (const line of repaired) expect(line.lost).toBeGreaterThanOrEqual(10);
      // Restarted empty, the old master is told by the Sentinels to replicate the new one.
      await master.restart();
      await untilReplicating(master);
    } finally {
      await Promise.all(logs.map((log) => log.close()));
    }
  }, 60_000);
});
