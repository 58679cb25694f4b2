import type { ScenarioResult } from "./scenarios.ts";

/** A contender's name and figures, as the JSON keeps them. */
export interface Row {
  name: string;
  result: ScenarioResult;
}

const fixed = (value: number, digits = 1) => (Number.isFinite(value) ? value.toFixed(digits) : "–");

/** The Markdown table of one run; CPU ratios are against the first row, the floor. */
export function markdownTable(rows: Row[]): string {
  const floorCpu = rows[0]?.result.bulk.cpuUsPerToken ?? Number.NaN;
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
  const lines = rows.map(({ name, result: r }) => [
    name,
    fixed(r.bulk.cpuUsPerToken),
    `${fixed(floorCpu / r.bulk.cpuUsPerToken, 2)}×`,
    fixed(r.paced.cpuUsPerToken),
    fixed(r.bulk.tokensPerSecond, 0),
    fixed(r.ttftMs.p50, 2),
    `${fixed(r.paced.addedMs.p50, 2)} / ${fixed(r.paced.addedMs.p99, 2)}`,
    `${r.paced.broken + r.bulk.broken}`,
    `${fixed(r.memory.heapKiB)} / ${fixed(r.memory.rssKiB)}`,
    `${fixed(r.cancel.p50, 2)} / ${fixed(r.cancel.p99, 2)}${r.cancel.neverClosed ? ` (${r.cancel.neverClosed} never)` : ""}`,
  ]);
  return [header, header.map(() => "---"), ...lines].map((cells) => `| ${cells.join(" | ")} |`).join("\n");
}
