// `node --expose-gc bench/resumable.ts [--quick]`, and `npm run bench` after the contenders' table: what a
// resumable stream costs against a plain one, with the in-memory log and with Redis (a redis-server of its
// own on loopback), how soon a reconnect gets its first event, many streams dropped and resumed at once
// through one Redis and through a cluster of three masters (each with a replica), the memory an ended stream
// holds while it is retained, and what the fence that makes a failover lossless costs. Figures in BENCHMARKS.md.
import { mkdirSync, writeFileSync } from "node:fs";
import { startRedisCluster } from "../test/fixtures/redis-cluster.ts";
import { startRedisServer } from "../test/fixtures/redis-server.ts";
import { concurrentStreams, costPerToken, fenceCost, memoryPerRetained, redisProbe, resumeLatency, type Kind, type ResumableConfig } from "./lib/resumable-scenarios.ts";

const quick = process.argv.includes("--quick");
const full: ResumableConfig = { costStreams: 7, costTokens: 4000, resumes: 200, concurrency: 1000, retained: 1000, retainedTokens: 100 };
const small: ResumableConfig = { costStreams: 3, costTokens: 1000, resumes: 30, concurrency: 100, retained: 200, retainedTokens: 100 };
const config = quick ? small : full;

const server = await startRedisServer();
const redis = redisProbe({ url: server.url }, [server.url]);
await redis.connect();
try {
  const step = (name: string) => process.stderr.write(`bench: resumable, ${name}\n`);
  const cost = {} as Results["cost"];
  for (const kind of ["plain", "memory", "redis"] as const) {
    step(`cost per token, ${kind}`);
    await costPerToken(kind, { redis, config }); // warm-up: the JIT, and Redis's first allocations
    cost[kind] = await costPerToken(kind, { redis, config });
  }
  step("reconnect to first event");
  const resume = { memory: await resumeLatency("memory", { redis, config }), redis: await resumeLatency("redis", { redis, config }) };
  const concurrent = {} as Results["concurrent"];
  for (const kind of ["plain", "memory", "redis"] as const) {
    step(`${config.concurrency} streams at once, ${kind}`);
    concurrent[kind] = await concurrentStreams(kind, { redis, config });
  }
  step("memory per retained stream");
  const retained = { memory: await memoryPerRetained("memory", { redis, config }), redis: await memoryPerRetained("redis", { redis, config }) };
  step("the failover fence");
  const fence = await fenceCost(redis, { batches: quick ? 20_000 : 200_000, streams: 50, tokens: quick ? 1000 : 4000 });
  step(`${config.concurrency} streams at once, and reconnects, on a cluster of three masters`);
  const cluster = await onCluster();
  const table = tableOf({ cost, resume, concurrent, retained, fence, cluster });
  console.log(table);
  const dir = new URL("./results/", import.meta.url);
  mkdirSync(dir, { recursive: true });
  const file = new URL(`resumable-${new Date().toISOString().replaceAll(":", "-")}${quick ? "-quick" : ""}.json`, dir);
  writeFileSync(file, JSON.stringify({ config, cost, resume, concurrent, retained, fence, cluster, table }, null, 2));
  process.stderr.write(`bench: raw figures in ${file.pathname}\n`);
} finally {
  await redis.close();
  await server.stop();
}

// The same streams and reconnects as on one Redis, through a cluster the way the tests start one.
async function onCluster() {
  const started = await startRedisCluster();
  const probe = redisProbe({ clusterNodes: started.seeds }, started.seeds);
  await probe.connect();
  try {
    return { concurrent: await concurrentStreams("redis", { redis: probe, config }), resume: await resumeLatency("redis", { redis: probe, config }) };
  } finally {
    await probe.close();
    await started.stop();
  }
}

interface Results {
  cost: Record<Kind, Awaited<ReturnType<typeof costPerToken>>>;
  resume: Record<"memory" | "redis", Awaited<ReturnType<typeof resumeLatency>>>;
  concurrent: Record<Kind, Awaited<ReturnType<typeof concurrentStreams>>>;
  retained: Record<"memory" | "redis", Awaited<ReturnType<typeof memoryPerRetained>>>;
  fence: Awaited<ReturnType<typeof fenceCost>>;
  cluster: Awaited<ReturnType<typeof onCluster>>;
}

function tableOf({ cost, resume, concurrent, retained, fence, cluster }: Results): string {
  const f = (n: number | undefined, digits = 1) => (n === undefined || Number.isNaN(n) ? "–" : n.toFixed(digits));
  const kib = (bytes: number | undefined) => (bytes === undefined ? "–" : `${f(bytes / 1024, 1)} KiB`);
  const usPerToken = (kind: Kind) => `${f(concurrent[kind].serverUsPerToken)}${kind === "redis" ? ` (+ ${f(concurrent.redis.redisUsPerToken)} in Redis)` : ""}`;
  const whole = (kind: Kind) => `${concurrent[kind].whole} / ${concurrent[kind].broken}`;
  const rows = [
    ["| | plain stream | resumable, in-memory log | resumable, Redis log |", "| --- | --- | --- | --- |"],
    [`| server CPU µs/token, 1 stream as fast as it goes (${config.costTokens} tokens) | ${f(cost.plain.serverUsPerToken)} | ${f(cost.memory.serverUsPerToken)} | ${f(cost.redis.serverUsPerToken)} (+ ${f(cost.redis.redisUsPerToken)} in Redis) |`],
    [`| server CPU µs/token, ${config.concurrency} streams at once (40 tokens at 10/s) | ${usPerToken("plain")} | ${usPerToken("memory")} | ${usPerToken("redis")} |`],
    [`| ${config.concurrency} streams at once, each resumable one dropped halfway and resumed (on the other replica with Redis): whole / broken | ${whole("plain")} | ${whole("memory")} | ${whole("redis")} |`],
    [`| reconnect → first resumed event p50 / p99 ms (gRPC, ${config.resumes} times) | – | ${f(resume.memory.p50, 2)} / ${f(resume.memory.p99, 2)} | ${f(resume.redis.p50, 2)} / ${f(resume.redis.p99, 2)} (on the other replica) |`],
    [`| memory per retained stream (${config.retainedTokens} tokens) | – | ${kib(retained.memory.heapBytesPerStream)} of heap | ${kib(retained.redis.redisBytesPerStream)} in Redis, ${kib(retained.redis.heapBytesPerStream)} of heap |`],
    [`| streams with lost or reordered tokens, all scenarios | ${cost.plain.broken + concurrent.plain.broken} | ${cost.memory.broken + resume.memory.broken + concurrent.memory.broken} | ${cost.redis.broken + resume.redis.broken + concurrent.redis.broken} |`],
  ];
  const topology = (name: string, c: Results["concurrent"]["redis"], r: Results["resume"]["redis"]) =>
    `| ${name} | ${f(c.tokensPerSecond, 0)} | ${f(c.serverUsPerToken)} (+ ${f(c.redisUsPerToken)} in Redis) | ${f(r.p50, 2)} / ${f(r.p99, 2)} | ${c.whole} / ${c.broken} |`;
  const topologies = [
    `| ${config.concurrency} Redis-log streams at once (40 tokens at 10/s, each dropped halfway and resumed on the other replica) | tokens/s | server CPU µs/token | reconnect → first resumed event p50 / p99 ms | whole / broken |`,
    "| --- | --- | --- | --- | --- |",
    topology("one Redis", concurrent.redis, resume.redis),
    topology("a cluster of three masters, each with a replica (Redis CPU summed over all six)", cluster.concurrent, cluster.resume),
  ];
  const failover = [
    "| what makes a failover lossless | cost |",
    "| --- | --- |",
    `| the fence, in Redis: one \`XREVRANGE … COUNT 1\` per batch (a batch is one token when tokens come one at a time) | ${f(fence.redisUsPerBatch, 2)} µs of Redis CPU per batch |`,
    `| the events each writer keeps to write again what a failover lost | ${f(fence.heapBytesPerToken, 0)} bytes of heap per token, until the stream ends |`,
  ];
  return [...rows.flat(), "", ...topologies, "", ...failover].join("\n");
}
