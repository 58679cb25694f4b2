// `node --expose-gc bench/capacity.ts [--quick]`, and `npm run bench` after the stream-cost split (`--only capacity`
// alone): how many concurrent paced streams (5 tokens/s each, 30 tokens, started over 2 s) one server core carries
// before the p99 delay added to a token passes 100 ms or a token is lost, for the floors and every tokenwire row.
// Each level's server CPU says whether the server's core was the limit: at 100 % it was; well under, the load
// generator's or the upstream's core (the other one) was.
import { mkdirSync, writeFileSync } from "node:fs";
import { parseArgs } from "node:util";
import { startChild } from "./lib/child.ts";
import { driveContender } from "./lib/drive-contender.ts";
import { contenders, type Contender } from "./contenders.ts";
import type { Capacity, ScenarioConfig } from "./scenarios.ts";

const { values: flags } = parseArgs({ options: { quick: { type: "boolean" } } });
const full: ScenarioConfig = { bulkStreams: 0, bulkTokens: 4000, ttftStreams: 0, concurrency: 0, pauseMs: 200, pacedTokens: 30, rampMs: 2000, cancels: 0 };
const quick: ScenarioConfig = { ...full, bulkTokens: 1000, pauseMs: 50, rampMs: 500 };
const config = flags.quick ? quick : full;
const search = { levels: flags.quick ? [100, 300] : [250, 500, 750, 1000, 1500, 2000, 3000, 4000], maxP99Ms: 100 };
const measured = new Set<Contender["server"]>(["floor", "h2-floor", "tokenwire", "tokenwire-dialects"]);
const lineUp = contenders.filter((each) => measured.has(each.server));
const cpus = { server: 0, upstream: 1, load: 1 };

const upstream = await startChild({ file: "upstream.ts", cpu: cpus.upstream, handlers: { closed: () => {} } });
const upstreamUrl = `http://127.0.0.1:${upstream.ready.port}/v1`;
const rows: { name: string; capacity: Capacity }[] = [];
try {
  for (const contender of lineUp) {
    process.stderr.write(`bench: capacity, ${contender.name}\n`);
    rows.push({ name: contender.name, capacity: await driveContender(contender, { upstreamUrl, cpus }, (driver) => driver.call<Capacity>("capacity", { config, search })) });
  }
} finally {
  await upstream.stop();
}
const floorHeld = rows[0]?.capacity.held ?? Number.NaN;
const lines = [
  `| contender | paced streams carried | × the floor's | each level: streams, p99 added ms, lost, server core % |`,
  "| --- | --- | --- | --- |",
  ...rows.map(({ name, capacity }) => {
    const steps = capacity.steps.map((step) => `${step.streams}: ${step.p99AddedMs.toFixed(0)} ms, ${step.broken}, ${step.serverCorePercent.toFixed(0)} %`).join("; ");
    return `| ${name} | ${capacity.reachedTop ? "≥ " : ""}${capacity.held} | ${(capacity.held / floorHeld).toFixed(2)} | ${steps} |`;
  }),
];
const table = lines.join("\n");
console.log(table);
const dir = new URL("./results/", import.meta.url);
mkdirSync(dir, { recursive: true });
const file = new URL(`capacity-${new Date().toISOString().replaceAll(":", "-")}${flags.quick ? "-quick" : ""}.json`, dir);
writeFileSync(file, JSON.stringify({ config, search, rows, table }, null, 2));
process.stderr.write(`bench: raw figures in ${file.pathname}\n`);
