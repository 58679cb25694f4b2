// `node bench/workers.ts [--quick]`, and `npm run bench` after the contenders' table: tokens per second that
// `npm start` serves with TOKENWIRE_WORKERS=1 and =2, read by many connections at once from a fast upstream.
// Nothing is pinned: two workers need both cores, which the upstream, Redis and this load generator share with
// them. Figures in BENCHMARKS.md.
import { mkdirSync, writeFileSync } from "node:fs";
import { startRedisServer } from "../test/fixtures/redis-server.ts";
import { startTokenwireProcess, type TokenwireProcess } from "../test/fixtures/tokenwire-process.ts";
import { startChild } from "./lib/child.ts";
import { clients } from "./clients.ts";
import { machineTicks, processesCpuUs } from "./lib/process-cpu.ts";
import { median } from "./lib/stats.ts";
import { throughput, type ThroughputConfig } from "./lib/throughput.ts";

const quick = process.argv.includes("--quick");
// 16 gRPC connections: the primary hands each to a worker in turn, and a connection's streams stay on its worker.
const connections = 16;
const rounds = 3;
const config: ThroughputConfig = quick ? { streamsEach: 2, tokens: 1000 } : { streamsEach: 8, tokens: 4000 };

const redis = await startRedisServer();
const upstream = await startChild({ file: "upstream.ts", handlers: { closed: () => {} } });
const rows = [];
try {
  for (const workers of [1, 2]) {
    process.stderr.write(`bench: workers, TOKENWIRE_WORKERS=${workers}\n`);
    const server = await startTokenwireProcess({
      upstreamUrl: `http://127.0.0.1:${upstream.ready.port}/v1`,
      env: { TOKENWIRE_WORKERS: String(workers), REDIS_URL: redis.url, TOKENWIRE_MODELS: "*", TOKENWIRE_MAX_STREAMS: "4096" },
    });
    try {
      rows.push({ workers, ...(await measure(server, workers)) });
    } finally {
      await server.stop();
    }
  }
} finally {
  await upstream.stop();
  await redis.stop();
}
const table = [
  "| `npm start` | tokens/s, all connections together | server CPU µs/token, all its processes | load generator CPU µs/token | machine CPU idle | streams with lost or reordered tokens |",
  "| --- | --- | --- | --- | --- | --- |",
  ...rows.map((row) => `| TOKENWIRE_WORKERS=${row.workers} | ${row.tokensPerSecond.toFixed(0)} | ${row.cpuUsPerToken.toFixed(1)} | ${row.loadCpuUsPerToken.toFixed(1)} | ${row.idlePercent.toFixed(0)} % | ${row.broken} |`),
].join("\n");
console.log(`\n${table}`);
const dir = new URL("./results/", import.meta.url);
mkdirSync(dir, { recursive: true });
const file = new URL(`workers-${new Date().toISOString().replaceAll(":", "-")}${quick ? "-quick" : ""}.json`, dir);
writeFileSync(file, JSON.stringify({ connections, rounds, config, rows, table }, null, 2));
process.stderr.write(`bench: raw figures in ${file.pathname}\n`);

// A warm-up round, then `rounds` measured ones: the median tokens per second, and CPU per token over them all.
async function measure(server: TokenwireProcess, workers: number) {
  const pids = [server.child.pid!, ...(workers > 1 ? await workerPids(server, workers) : [])];
  const opens = Array.from({ length: connections }, () => clients.grpc!(server.url));
  await throughput(opens, { streamsEach: 1, tokens: config.tokens }, "w");
  const cpuBefore = processesCpuUs(pids);
  const loadBefore = process.cpuUsage();
  const machineBefore = machineTicks();
  const measured = [];
  for (let round = 0; round < rounds; round++) measured.push(await throughput(opens, config, `r${round}`));
  const tokens = measured.reduce((sum, run) => sum + run.tokens, 0);
  return {
    tokensPerSecond: median(measured.map((run) => run.tokensPerSecond)),
    cpuUsPerToken: (processesCpuUs(pids) - cpuBefore) / tokens,
    // What the load generator itself takes from the same two cores.
    loadCpuUsPerToken: cpuUs(process.cpuUsage(loadBefore)) / tokens,
    broken: measured.reduce((sum, run) => sum + run.broken, 0),
    // Near 0: the cores were full, and a second worker could only take CPU from the other processes.
    idlePercent: idlePercentSince(machineBefore),
    rounds: measured,
  };
}

function idlePercentSince(before: { idle: number; total: number }): number {
  const now = machineTicks();
  return (100 * (now.idle - before.idle)) / (now.total - before.total);
}

function cpuUs({ user, system }: NodeJS.CpuUsage): number {
  return user + system;
}

// The primary names its workers once all listen.
async function workerPids(server: TokenwireProcess, workers: number): Promise<number[]> {
  for (;;) {
    const line = server.output.find((text) => text.includes(`"all ${workers} workers listening`));
    if (line) return (JSON.parse(line) as { pids: number[] }).pids;
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
}
