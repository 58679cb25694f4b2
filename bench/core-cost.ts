// `npx node bench/core-cost.ts --baseline <git ref> [--current <git ref>] [--tokens 2000] [--rounds 31]`: the server CPU
// per token of createTokenwire().streamTokens, this checkout (or `--current`) against a baseline commit's, in one
// process, on a chat model that
// streams from memory. No network and no wire: what is left is LangChain's stream and tokenwire's core, so a
// difference in the core shows through, where the full bench's rows move by more than it between runs on a shared
// machine. Rounds alternate the order of the two trees; each figure is a median over rounds.
import { parseArgs } from "node:util";
import { pathToFileURL } from "node:url";
import { HumanMessage } from "@langchain/core/messages";
import { checkoutRef } from "./lib/checkout.ts";
import { MemoryChatModel } from "./lib/memory-chat-model.ts";
import { median, percentile } from "./lib/stats.ts";
import { createTokenCheck } from "./lib/token-check.ts";

type Core = typeof import("../src/core/tokenwire.ts");

const { values: flags } = parseArgs({
  options: { baseline: { type: "string" }, current: { type: "string" }, tokens: { type: "string" }, rounds: { type: "string" } },
});
if (!flags.baseline) throw new Error("usage: npx node bench/core-cost.ts --baseline <git ref> [--current <git ref>] [--tokens 2000] [--rounds 31]");
const tokens = Number(flags.tokens ?? 2000);
const rounds = Number(flags.rounds ?? 31);

/** CPU µs per token of one stream of `tokens` tokens through a tree's core; throws if a token went missing. */
async function cpuPerToken(core: Core, perTurn: number): Promise<number> {
  const runnable = new MemoryChatModel({ tokens, perTurn });
  const tokenwire = core.createTokenwire({ resolve: () => ({ model: "memory", runnable, input: [new HumanMessage("hi")] }) });
  const check = createTokenCheck(false);
  const before = process.cpuUsage();
  for await (const event of tokenwire.streamTokens({ prompt: "hi" })) if (event.type === "delta") check.feed(event.text, 0);
  const used = process.cpuUsage(before);
  const tally = check.finish();
  if (tally.tokens !== tokens || !tally.inOrder) throw new Error(`${tally.tokens} of ${tokens} tokens, in order: ${tally.inOrder}`);
  return (used.user + used.system) / tokens;
}

const baseline = checkoutRef(flags.baseline);
const current = flags.current ? checkoutRef(flags.current) : undefined;
const coreOf = async (root: string) => (await import(pathToFileURL(`${root}/src/core/tokenwire.ts`).href)) as Core;
try {
  const trees: [string, Core][] = [
    current ? [`tokenwire@${current.commit}`, await coreOf(current.root)] : ["this checkout", (await import("../src/core/tokenwire.ts")) as Core],
    [`tokenwire@${baseline.commit}`, await coreOf(baseline.root)],
  ];
  console.log(`| core | tokens a turn | CPU µs/token: p25 | median | median vs baseline |`);
  console.log("| --- | --- | --- | --- | --- |");
  // 32 tokens a turn is the bench upstream's fast reply; 1 a turn, a paced one.
  for (const perTurn of [32, 1]) {
    const samples = trees.map(() => [] as number[]);
    for (let round = -3; round < rounds; round++) {
      // Three warm-up rounds, then the order alternates so that drift falls on both trees alike.
      const order = round % 2 === 0 ? [0, 1] : [1, 0];
      for (const k of order) {
        const value = await cpuPerToken(trees[k]![1], perTurn);
        if (round >= 0) samples[k]!.push(value);
      }
    }
    const base = median(samples[1]!);
    trees.forEach(([name], k) => {
      const mid = median(samples[k]!);
      const change = k === 0 ? `${mid >= base ? "+" : ""}${((mid / base - 1) * 100).toFixed(1)} %` : "";
      console.log(`| ${name} | ${perTurn} | ${percentile(samples[k]!, 0.25).toFixed(2)} | ${mid.toFixed(2)} | ${change} |`);
    });
  }
} finally {
  baseline.remove();
  current?.remove();
}
