import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createRedisStreamLog } from "../../../src/adapters/redis/index.ts";
import type { StreamLog, TokenEvent } from "../../../src/index.ts";
import { startRedisCluster, type RedisCluster } from "../../fixtures/redis-cluster.ts";
import { collect } from "../../support/collect.ts";
import { recordingLogger } from "../../support/redis-stall.ts";
import { untilReplicating } from "../../fixtures/redis-server.ts";
import { endThroughFailover, lagReplica, streamThroughFailover, untilMaster } from "../../support/redis-failover.ts";
import { skipWithout } from "../../support/test-tiers.ts";

// A cluster of its own: the test kills one of its masters.
let cluster: RedisCluster;
beforeAll(async () => {
  if (!skipWithout("redis")) cluster = await startRedisCluster();
}, 60_000);
afterAll(() => cluster?.stop());

// Two tokenwire replicas' logs on the cluster, closed after `run`.
async function onTwoReplicas(run: (logs: [StreamLog, StreamLog], logger: ReturnType<typeof recordingLogger>) => Promise<void>): Promise<void> {
  const logger = recordingLogger();
  const open = () => createRedisStreamLog({ clusterNodes: cluster.seeds, heartbeatMs: 100, failoverMs: 30_000, logger });
  const logs: [StreamLog, StreamLog] = [await open(), await open()];
  try {
    await run(logs, logger);
  } finally {
    await Promise.all(logs.map((log) => log.close()));
  }
}

// The master of the first stream's slot, made to lag behind its replica, then killed: the replica takes over.
async function failingOver(id: string) {
  const victim = await cluster.masterOf(`tokenwire:{${id}}:meta`);
  const heir = await cluster.replicaOf(victim);
  return {
    victim,
    heir,
    lag: () => lagReplica({ master: victim, replica: heir, ms: 3000 }),
    kill: async () => {
      await victim.kill();
      await untilMaster(heir);
    },
  };
}

describe.skipIf(skipWithout("redis"))("a master of the cluster killed mid-stream", () => {
  it("should give every reader of 50 streams every event once, in order, write again what the dead master had acknowledged, and take the master back as a replica", () =>
    onTwoReplicas(async (logs, logger) => {
      const ids = Array.from({ length: 50 }, (_, i) => `failover-${i}`);
      const { victim, heir, lag, kill } = await failingOver(ids[0]!);
      const onVictim = new Set<string>();
      for (const id of ids) if ((await cluster.masterOf(`tokenwire:{${id}}:meta`)) === victim) onVictim.add(id);
      await streamThroughFailover({ writerLog: logs[0], readerLog: logs[1], ids, deltas: 30, lag, kill });
      // The fence was met: each stream of the dead master lost the third its replica never got, and got it again.
      const repaired = logger.lines.filter((line) => line.redis === "repaired");
      expect(new Set(repaired.map((line) => line.streamId))).toEqual(onVictim);
      for (const line of repaired) expect(line.lost).toBeGreaterThanOrEqual(10);

      await victim.restart();
      await untilReplicating(victim);
      expect(await cluster.masterOf(`tokenwire:{${ids[0]}}:meta`)).toBe(heir);
      const writer = await logs[0].create(ids[0]!, { graceMs: 60_000 });
      const again: TokenEvent = { type: "started", seq: 0, runId: "again", model: "m" };
      await writer.write(again);
      writer.close();
      expect(await collect(logs[1].read(ids[0]!, { afterSeq: -1 }))).toEqual({ events: [again] });
    }), 60_000);

  it("should write again the ends a master acknowledged and died with, once no writer is left writing", () =>
    onTwoReplicas(async (logs, logger) => {
      const ids = Array.from({ length: 20 }, (_, i) => `ended-${i}`);
      const { lag, kill } = await failingOver(ids[0]!);
      await endThroughFailover({ writerLog: logs[0], readerLog: logs[1], ids, deltas: 30, lag, kill });
      expect(logger.lines.some((line) => line.redis === "repaired" && line.streamId === ids[0])).toBe(true);
    }), 60_000);
});
