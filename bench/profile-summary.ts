// `npx node bench/profile-summary.ts <a.cpuprofile> [<b.cpuprofile> …] [--top 16]`: where each profile's CPU went,
// side by side, as self time per package (node_modules), per Node internal module and per file of this repository,
// with garbage collection and native code apart. Profiles come from `npm run bench -- --cpu-prof`.
import { readFileSync } from "node:fs";
import { basename } from "node:path";
import { parseArgs } from "node:util";

interface ProfileNode {
  id: number;
  callFrame: { functionName: string; url: string };
}
interface CpuProfile {
  nodes: ProfileNode[];
  samples: number[];
  timeDeltas: number[];
}

const { values: flags, positionals: files } = parseArgs({ allowPositionals: true, options: { top: { type: "string" } } });
if (files.length === 0) throw new Error("usage: npx node bench/profile-summary.ts <a.cpuprofile> [<b.cpuprofile> …] [--top 16]");
const top = Number(flags.top ?? 16);

const summaries = files.map((file) => selfTimeByPlace(JSON.parse(readFileSync(file, "utf8")) as CpuProfile));
// The places that cost most in any of the profiles, in the order of the first.
const places = [...new Set(summaries.flatMap((summary) => [...summary.byPlace].sort((a, b) => b[1] - a[1]).slice(0, top).map(([place]) => place)))];
const ms = (us: number | undefined) => ((us ?? 0) / 1000).toFixed(0);
const share = (us: number | undefined, busy: number) => `${((100 * (us ?? 0)) / busy).toFixed(1)} %`;

console.log(`| CPU, self time | ${files.map((file) => basename(file, ".cpuprofile")).join(" | ")} |`);
console.log(`| --- |${" --- |".repeat(files.length)}`);
console.log(`| busy (not idle), ms | ${summaries.map((summary) => ms(summary.busy)).join(" | ")} |`);
for (const place of places) {
  console.log(`| ${place} | ${summaries.map(({ byPlace, busy }) => `${ms(byPlace.get(place))} (${share(byPlace.get(place), busy)})`).join(" | ")} |`);
}

function selfTimeByPlace(profile: CpuProfile): { busy: number; byPlace: Map<string, number> } {
  const nodes = new Map(profile.nodes.map((node) => [node.id, node]));
  const byPlace = new Map<string, number>();
  let busy = 0;
  profile.samples.forEach((id, i) => {
    const { functionName, url } = nodes.get(id)!.callFrame;
    if (functionName === "(idle)" || functionName === "(program)") return;
    const place = placeOf(functionName, url);
    const us = profile.timeDeltas[i] ?? 0;
    busy += us;
    byPlace.set(place, (byPlace.get(place) ?? 0) + us);
  });
  return { busy, byPlace };
}

// A package by its name, Node's own modules by theirs, this repository's files by their path.
function placeOf(functionName: string, url: string): string {
  if (!url) return functionName === "(garbage collector)" ? "garbage collector" : "native (microtasks, writes, parsing)";
  const pkg = /node_modules\/((?:@[^/]+\/)?[^/]+)/.exec(url)?.[1];
  if (pkg) return pkg;
  if (url.startsWith("node:")) return url;
  return /\/(src|bench|gen)\/.*$/.exec(url)?.[0].slice(1) ?? url;
}
