import { median } from "./lib/stats.ts";
import type { ScenarioResult } from "./scenarios.ts";

/** A contender's name and figures, as the JSON keeps them. */
export interface Row {
  name: string;
  /** Which of `--rounds` measured it, from 1. */
  round?: number;
  result: ScenarioResult;
  /** The contender's server, as `--only` names it. */
  server: string;
  /** The server of the floor this row is measured against. */
  floor: string;
  /** For a baseline row, the name of the row it is the baseline of. */
  baselineOf?: string;
}

const fixed = (value: number, digits = 1) => (Number.isFinite(value) ? value.toFixed(digits) : "–");

/**
 * The Markdown table of one run, a line per contender. CPU ratios are against
 * the row's floor measured in the same round; over several rounds, each figure
 * is the median of the rounds' (the JSON keeps every round), lost tokens the sum.
 */
export function markdownTable(rows: Row[]): string {
  const paced = rows[0]?.result.paced;
  const header = [
    "contender",
    "server CPU µs/token (1 stream)",
    "tokens per CPU-s vs floor",
    "server CPU µs/token (paced)",
    "tokens/s (1 stream)",
    "TTFT p50 ms",
    `added delay p50 / p99 ms (${paced?.streams ?? "?"} streams × ${paced?.tokensPerSecondEach ?? "?"} tok/s)`,
    "streams with lost or reordered tokens",
    "heap / RSS KiB per open stream",
    "cancel → upstream close p50 / p99 ms",
  ];
  const floorCpu = ({ floor, round }: Row) => rows.find((row) => row.server === floor && row.round === round)?.result.bulk.cpuUsPerToken ?? Number.NaN;
  // A row that ran other than the header's streams, or held fewer open than it started, says so.
  const ran = (count: number) => (count === paced?.streams ? "" : ` (${count} streams)`);
  const held = (open: number, started: number) => (open === started ? "" : ` (${open} of ${started} open)`);
  const lines = [...new Set(rows.map((row) => row.name))].map((name) => {
    const measured = rows.filter((row) => row.name === name);
    const m = (pick: (r: ScenarioResult) => number) => median(measured.map((row) => pick(row.result)));
    const broken = measured.reduce((sum, { result: r }) => sum + r.paced.broken + r.bulk.broken, 0);
    const neverClosed = m((r) => r.cancel.neverClosed);
    return [
      name,
      fixed(m((r) => r.bulk.cpuUsPerToken)),
      `${fixed(median(measured.map((row) => floorCpu(row) / row.result.bulk.cpuUsPerToken)), 2)}×`,
      fixed(m((r) => r.paced.cpuUsPerToken)),
      fixed(m((r) => r.bulk.tokensPerSecond), 0),
      fixed(m((r) => r.ttftMs.p50), 2),
      `${fixed(m((r) => r.paced.addedMs.p50), 2)} / ${fixed(m((r) => r.paced.addedMs.p99), 2)}${ran(m((r) => r.paced.streams))}`,
      `${broken}`,
      `${fixed(m((r) => r.memory.heapKiB))} / ${fixed(m((r) => r.memory.rssKiB))}${held(m((r) => r.memory.streams), m((r) => r.paced.streams))}`,
      `${fixed(m((r) => r.cancel.p50), 2)} / ${fixed(m((r) => r.cancel.p99), 2)}${neverClosed ? ` (${neverClosed} never)` : ""}`,
    ];
  });
  return markdown([header, ...lines]);
}

/**
 * The regression check of `--baseline`: each tokenwire row's server CPU per
 * token against its baseline row's, from the same run; over several rounds,
 * the medians and each round's change. Empty without baseline rows.
 */
export function baselineTable(rows: Row[]): string {
  const names = [...new Set(rows.flatMap((row) => (row.baselineOf ? [row.baselineOf] : [])))];
  if (names.length === 0) return "";
  const header = ["contender", "server CPU µs/token (1 stream): now", "baseline", "change", "server CPU µs/token (paced): now", "baseline", "change", "change per round (1 stream; paced)"];
  const lines = names.map((name) => {
    const now = rows.filter((row) => row.name === name && !row.baselineOf);
    const base = rows.filter((row) => row.baselineOf === name);
    const figures = (pick: (r: ScenarioResult) => number) => {
      const [a, b] = [median(now.map((row) => pick(row.result))), median(base.map((row) => pick(row.result)))];
      return [fixed(a), fixed(b), change(a, b)];
    };
    const perRound = (pick: (r: ScenarioResult) => number) =>
      now.map((row) => base.find((other) => other.round === row.round)).map((other, k) => (other ? change(pick(now[k]!.result), pick(other.result)) : "–"));
    const bulk = (r: ScenarioResult) => r.bulk.cpuUsPerToken;
    const paced = (r: ScenarioResult) => r.paced.cpuUsPerToken;
    return [name, ...figures(bulk), ...figures(paced), `${perRound(bulk).join(", ")}; ${perRound(paced).join(", ")}`];
  });
  return markdown([header, ...lines]);
}

function change(now: number, base: number): string {
  return `${now > base ? "+" : ""}${fixed(((now - base) / base) * 100)} %`;
}

function markdown([header, ...lines]: string[][]): string {
  return [header!, header!.map(() => "---"), ...lines].map((cells) => `| ${cells.join(" | ")} |`).join("\n");
}
