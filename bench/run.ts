// `npm run bench [-- --quick] [--only floor,grpc] [--streams 1000 --rate 20] [--cpu-prof] [--baseline <git ref>] [--current <git ref>] [--rounds 3]`:
// runs every contender against one fake upstream, each in its own process,
// prints the Markdown table and writes the raw figures to bench/results/.
// `--baseline` adds the tokenwire rows of another commit, side by side;
// `--current` serves the tokenwire rows from a commit instead of this checkout;
// `--rounds` measures every row that many times.
import { mkdirSync, readFileSync, writeFileSync } from "node:fs";
import { availableParallelism, loadavg } from "node:os";
import { parseArgs } from "node:util";
import { canPin, startChild } from "./lib/child.ts";
import { driveContender } from "./lib/drive-contender.ts";
import { runSection } from "./lib/run-section.ts";
import { checkoutRef } from "./lib/checkout.ts";
import { contenders, lineUp, type Contender } from "./contenders.ts";
import type { ScenarioConfig, ScenarioResult } from "./scenarios.ts";
import { baselineTable, markdownTable, type Row } from "./table.ts";

const { values: flags } = parseArgs({
  options: {
    "quick": { type: "boolean" },
    "only": { type: "string" },
    "cpu-prof": { type: "boolean" },
    "streams": { type: "string" },
    "rate": { type: "string" },
    "baseline": { type: "string" },
    "current": { type: "string" },
    "rounds": { type: "string" },
  },
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
// Other work on a shared machine moves every figure: the JSON keeps the load around the run.
const loadAtStart = loadavg();

const baseline = flags.baseline ? checkoutRef(flags.baseline) : undefined;
const current = flags.current ? checkoutRef(flags.current) : undefined;
const removeTrees = (): void => (baseline?.remove(), current?.remove());
// Ctrl-C skips the finally below: the worktrees go all the same.
process.once("SIGINT", () => (removeTrees(), process.exit(130)));
const closes = createCloseBook();
const rows: Row[] = [];
const rounds = Number(flags.rounds ?? 1);
const startedAt = new Date().toISOString().replaceAll(":", "-");
try {
  const upstream = await startChild({ file: "upstream.ts", cpu: cpus.upstream, handlers: { closed: closes.record } });
  const upstreamUrl = `http://127.0.0.1:${upstream.ready.port}/v1`;
  try {
    for (let round = 1; round <= rounds; round++) {
      // Even rounds measure the baseline's row first.
      for (const contender of lineUp(contenders, { current, baseline }, round % 2 === 0).filter(selected)) {
        process.stderr.write(`bench: ${contender.name}${rounds > 1 ? `, round ${round}` : ""}\n`);
        closes.clear();
        const result = await measure(contender, upstreamUrl);
        rows.push({ name: contender.name, round, result, server: contender.server, floor: contender.floor ?? "floor", baselineOf: contender.baselineOf });
      }
    }
  } finally {
    await upstream.stop();
  }
} finally {
  removeTrees();
}
const table = markdownTable(rows);
const comparison = baselineTable(rows);
if (rounds > 1) console.log(`Medians over ${rounds} rounds; every round's figures are in the JSON.\n`);
console.log(comparison ? `${table}\n\n${comparison}` : table);
mkdirSync(resultsDir, { recursive: true });
const file = new URL(`${startedAt}${flags.quick ? "-quick" : ""}.json`, resultsDir);
writeFileSync(file, JSON.stringify({ machine: machine(), config, current: current?.commit, baseline: baseline?.commit, rows, table, comparison }, null, 2));
process.stderr.write(`bench: raw figures in ${file.pathname}\n`);
runSection("stream-cost", flags);
runSection("capacity", flags);
runSection("resumable", flags);
runSection("workers", flags);

function measure(contender: Contender, upstreamUrl: string): Promise<ScenarioResult> {
  const own = { ...config, concurrency: Math.round(config.concurrency * (contender.streamShare ?? 1)) };
  const options = { upstreamUrl, cpus, nodeFlags: profileFlags(contender), handlers: { upstreamClosedAt: closes.when } };
  return driveContender(contender, options, (driver) => driver.call<ScenarioResult>("run", own));
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

// One profile per row, named after it, so that a baseline row's profile is told from the current one's.
function profileFlags(contender: Contender): string[] {
  if (!flags["cpu-prof"]) return [];
  const slug = contender.name.replaceAll(/[^\w@.-]+/g, "-").replaceAll(/^-|-$/g, "");
  return ["--cpu-prof", `--cpu-prof-dir=${new URL("profiles", resultsDir).pathname}`, `--cpu-prof-name=${startedAt}-${slug}.cpuprofile`];
}

function selected(contender: Contender): boolean {
  if (!flags.only) return true;
  return flags.only.split(",").some((word) => contender.server === word || contender.client === word);
}

function machine() {
  const cpuModel = /model name\s*:\s*(.*)/.exec(readFileSync("/proc/cpuinfo", "utf8"))?.[1];
  const pinned = canPin ? cpus : "no taskset: processes float";
  return { cpus: availableParallelism(), cpuModel, node: process.version, pinned, loadAverage: { start: loadAtStart, end: loadavg() } };
}
