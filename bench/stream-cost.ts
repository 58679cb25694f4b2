// `node --expose-gc bench/stream-cost.ts [--quick] [--rounds 3]`, and `npm run bench` after the contenders' table
// (`--only stream-cost` alone): what a paced stream's server CPU is made of. For the floors, the seed design
// and the tokenwire rows, the paced scenario's streams (1,000 at 5 tokens/s, started over 2 s) of one token
// and of 30, in alternating rounds: what starting a stream costs, and what each token after it adds. From
// the floors, what LangChain, HTTP/2 and connect-node each add, and what is left to tokenwire itself beyond
// LangChain and a wire written by hand.
import { mkdirSync, writeFileSync } from "node:fs";
import { parseArgs } from "node:util";
import { startChild } from "./lib/child.ts";
import { driveContender } from "./lib/drive-contender.ts";
import { contenders, type Contender } from "./contenders.ts";
import type { ScenarioConfig, StartAndTokenCost } from "./scenarios.ts";

const { values: flags } = parseArgs({ options: { quick: { type: "boolean" }, rounds: { type: "string" } } });
const full: ScenarioConfig = { bulkStreams: 0, bulkTokens: 4000, ttftStreams: 0, concurrency: 1000, pauseMs: 200, pacedTokens: 30, rampMs: 2000, cancels: 0 };
const quick: ScenarioConfig = { ...full, bulkTokens: 1000, concurrency: 100, pauseMs: 50, rampMs: 500 };
const config = flags.quick ? quick : full;
const rounds = Number(flags.rounds ?? (flags.quick ? 1 : 3));
const measured = new Set<Contender["server"]>(["floor", "bytes-floor", "wire-floor", "h2-floor", "tokenwire", "seed-grpc"]);
// The wire floor over HTTP/1.1, for the rows on Connect HTTP/1.1 and gRPC-Web: a row of this section only.
const wireFloorHttp1: Contender = { name: "wire floor over HTTP/1.1: the same through connect-node, Connect HTTP/1.1", server: "wire-floor-h1", client: "connect-h1" };
const lineUp = contenders.filter((each) => measured.has(each.server)).flatMap((each) => (each.server === "wire-floor" ? [each, wireFloorHttp1] : [each]));
const cpus = { server: 0, upstream: 1, load: 1 };

const upstream = await startChild({ file: "upstream.ts", cpu: cpus.upstream, handlers: { closed: () => {} } });
const upstreamUrl = `http://127.0.0.1:${upstream.ready.port}/v1`;
const rows: { name: string; server: Contender["server"]; client?: string; cost: StartAndTokenCost }[] = [];
try {
  for (const contender of lineUp) {
    process.stderr.write(`bench: stream cost, ${contender.name}\n`);
    const cost = await driveContender(contender, { upstreamUrl, cpus }, (driver) => driver.call<StartAndTokenCost>("startAndTokenCost", { config, rounds }));
    rows.push({ name: contender.name, server: contender.server, client: contender.client, cost });
  }
} finally {
  await upstream.stop();
}
const table = `${costTable()}\n\n${shareTable()}`;
console.log(table);
const dir = new URL("./results/", import.meta.url);
mkdirSync(dir, { recursive: true });
const file = new URL(`stream-cost-${new Date().toISOString().replaceAll(":", "-")}${flags.quick ? "-quick" : ""}.json`, dir);
writeFileSync(file, JSON.stringify({ config, rounds, rows, table }, null, 2));
process.stderr.write(`bench: raw figures in ${file.pathname}\n`);

function costTable(): string {
  const lines = [
    `| contender | server CPU µs, a stream of 1 token | a stream of ${config.pacedTokens} tokens | each token after the first | the stream's start | µs/token, streams of ${config.pacedTokens} | streams with lost or reordered tokens |`,
    "| --- | --- | --- | --- | --- | --- | --- |",
  ];
  for (const { name, cost } of rows) {
    lines.push(`| ${name} | ${us(cost.streamOfOneUs)} | ${us(cost.streamUs)} | ${cost.tokenUs.toFixed(1)} | ${us(cost.startUs)} | ${(cost.streamUs / config.pacedTokens).toFixed(1)} | ${cost.broken} |`);
  }
  return lines.join("\n");
}

// What each layer adds over the physical floor, and what a tokenwire row costs beyond LangChain and the HTTP/2
// floor's wire (gRPC messages written by hand on node:http2): what tokenwire itself adds, its wire's HTTP version apart.
function shareTable(): string {
  const of = (server: Contender["server"]) => rows.find((row) => row.server === server)?.cost;
  const [bytes, floor, wire, wireHttp1, h2] = [of("bytes-floor"), of("floor"), of("wire-floor"), of("wire-floor-h1"), of("h2-floor")];
  if (!bytes || !floor || !wire || !wireHttp1 || !h2) return "";
  const layer = (cost: StartAndTokenCost, base: StartAndTokenCost) => ({ start: cost.startUs - base.startUs, token: cost.tokenUs - base.tokenUs });
  const langchain = layer(floor, bytes);
  const handWritten = layer(h2, bytes);
  const lines = [
    `| over the physical floor | the stream's start, µs | each token, µs | µs/token, streams of ${config.pacedTokens} |`,
    "| --- | --- | --- | --- |",
    share("LangChain and the OpenAI client (floor − physical floor)", langchain),
    share("connect-node, gRPC (wire floor − physical floor)", layer(wire, bytes)),
    share("of which HTTP/2 and protobuf-es (HTTP/2 floor − physical floor)", handWritten),
    share("of which connect-node's own pipeline (wire floor − HTTP/2 floor)", layer(wire, h2)),
    share("connect-node, Connect HTTP/1.1 (wire floor over HTTP/1.1 − physical floor)", layer(wireHttp1, bytes)),
  ];
  for (const row of rows.filter((each) => each.server === "tokenwire")) {
    const beyond = layer(row.cost, bytes);
    const name = `${row.name}: beyond LangChain and the HTTP/2 floor's wire`;
    lines.push(share(name, { start: beyond.start - langchain.start - handWritten.start, token: beyond.token - langchain.token - handWritten.token }));
  }
  return lines.join("\n");
}

function share(name: string, { start, token }: { start: number; token: number }): string {
  return `| ${name} | ${us(start)} | ${token.toFixed(1)} | ${(start / config.pacedTokens + token).toFixed(1)} |`;
}

function us(value: number): string {
  return value.toFixed(0);
}
