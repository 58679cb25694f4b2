// `npm run bench [-- --quick] [--only floor,grpc] [--streams 1000 --rate 20] [--cpu-prof]`: runs
// every contender against one fake upstream, each in its own process, prints
// the Markdown table and writes the raw figures to bench/results/.
import { mkdirSync, readFileSync, writeFileSync } from "node:fs";
import { availableParallelism } from "node:os";
import { parseArgs } from "node:util";
import { canPin, startChild, type Child } from "./lib/child.ts";
import { runResumable } from "./lib/run-resumable.ts";
import { contenders, type Contender } from "./contenders.ts";
import type { ScenarioConfig, ScenarioResult } from "./scenarios.ts";
import { markdownTable, type Row } from "./table.ts";

const { values: flags } = parseArgs({
  options: { "quick": { type: "boolean" }, "only": { type: "string" }, "cpu-prof": { type: "boolean" }, "streams": { type: "string" }, "rate": { type: "string" } },
});

// 1,000 streams at 5 tokens/s each: at 20 tokens/s even the floor needs more than this machine's one server core (BENCHMARKS.md).
const full: ScenarioConfig = { bulkStreams: 7, bulkTokens: 4000, ttftStreams: 30, concurrency: 1000, pauseMs: 200, pacedTokens: 30, rampMs: 2000, cancels: 30 };
const quick: ScenarioConfig = { bulkStreams: 5, bulkTokens: 1000, ttftStreams: 10, concurrency: 100, pauseMs: 50, pacedTokens: 40, rampMs: 500, cancels: 10 };
const config = { ...(flags.quick ? quick : full) };
if (flags.streams) config.concurrency = Number(flags.streams);
if (flags.rate) config.pauseMs = Math.round(1000 / Number(flags.rate));
// The server under test gets a core of its own; the upstream and the load generator share the other.
const cpus = { server: 0, upstream: 1, load: 1 };
const resultsDir = new URL("./results/", import.meta.url);

const closes = createCloseBook();
const upstream = await startChild({ file: "upstream.ts", cpu: cpus.upstream, handlers: { closed: closes.record } });
const upstreamUrl = `http://127.0.0.1:${upstream.ready.port}/v1`;
const rows: Row[] = [];
try {
  for (const contender of contenders.filter(selected)) {
    process.stderr.write(`bench: ${contender.name}\n`);
    closes.clear();
    rows.push({ name: contender.name, result: await measure(contender) });
  }
} finally {
  await upstream.stop();
}
const table = markdownTable(rows);
console.log(table);
mkdirSync(resultsDir, { recursive: true });
const file = new URL(`${new Date().toISOString().replaceAll(":", "-")}${flags.quick ? "-quick" : ""}.json`, resultsDir);
writeFileSync(file, JSON.stringify({ machine: machine(), config, rows, table }, null, 2));
process.stderr.write(`bench: raw figures in ${file.pathname}\n`);
runResumable(flags);

async function measure(contender: Contender): Promise<ScenarioResult> {
  const profile = flags["cpu-prof"] ? ["--cpu-prof", `--cpu-prof-dir=${new URL("profiles", resultsDir).pathname}`] : [];
  const server = await startChild({
    file: "server.ts",
    args: [contender.server, upstreamUrl],
    cpu: cpus.server,
    nodeFlags: ["--expose-gc", ...profile],
    handlers: { upstreamClosedAt: closes.when },
  });
  let load: Child | undefined;
  try {
    if (!contender.client) return await server.call<ScenarioResult>("run", config);
    const baseUrl = `http://127.0.0.1:${server.ready.port}`;
    load = await startChild({
      file: "load.ts",
      args: [contender.client, baseUrl],
      cpu: cpus.load,
      handlers: { upstreamClosedAt: closes.when, serverStats: (gc: boolean) => server.call("serverStats", gc) },
    });
    return await load.call<ScenarioResult>("run", config);
  } finally {
    await load?.stop();
    await server.stop();
  }
}

// The upstream reports each request a client closed early; the cancel scenario asks when, by tag.
function createCloseBook() {
  const seen = new Map<string, number>();
  const waiting = new Map<string, (at: number) => void>();
  return {
    record({ tag, at }: { tag: string; at: number }) {
      seen.set(tag, at);
      waiting.get(tag)?.(at);
    },
    when(tag: string): Promise<number | undefined> {
      if (seen.has(tag)) return Promise.resolve(seen.get(tag));
      return new Promise((resolve) => {
        const timer = setTimeout(() => resolve(undefined), 2000);
        waiting.set(tag, (at) => (clearTimeout(timer), resolve(at)));
      });
    },
    clear() {
      seen.clear();
      waiting.clear();
    },
  };
}

function selected(contender: Contender): boolean {
  if (!flags.only) return true;
  return flags.only.split(",").some((word) => contender.server === word || contender.client === word);
}

function machine() {
  const cpuModel = /model name\s*:\s*(.*)/.exec(readFileSync("/proc/cpuinfo", "utf8"))?.[1];
  return { cpus: availableParallelism(), cpuModel, node: process.version, pinned: canPin ? cpus : "no taskset: processes float" };
}
