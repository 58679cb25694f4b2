import { benchModelName } from "./lib/bench-model.ts";
import { nowMs } from "./lib/clock.ts";
import type { Harness, ServerStats } from "./lib/harness.ts";
import { readStream, type StreamOutcome } from "./lib/read-stream.ts";
import { summarize, percentile } from "./lib/stats.ts";

/** How much of each scenario to run; `--quick` scales these down. */
export interface ScenarioConfig {
  bulkStreams: number;
  bulkTokens: number;
  ttftStreams: number;
  /** Streams open at once in the memory and paced scenarios. */
  concurrency: number;
  pauseMs: number;
  pacedTokens: number;
  /** Milliseconds over which the concurrent streams start, so their tokens spread over time as real users' do. */
  rampMs: number;
  cancels: number;
}

/** Runs every scenario against one contender, one after another, and returns its figures. */
export async function runScenarios(harness: Harness, config: ScenarioConfig) {
  await warmUp(harness, config);
  return {
    bulk: await bulk(harness, config),
    ttftMs: await timeToFirstToken(harness, config),
    memory: await memoryPerStream(harness, config),
    paced: await paced(harness, config),
    cancel: await cancelToUpstreamClose(harness, config),
  };
}

export type ScenarioResult = Awaited<ReturnType<typeof runScenarios>>;

// Lets the JIT compile the per-token paths before anything is measured.
async function warmUp({ open }: Harness, config: ScenarioConfig) {
  for (let i = 0; i < 3; i++) await readStream({ open, model: benchModelName({ pauseMs: 0, tokens: config.bulkTokens, tag: `w${i}` }) });
  await startMany(Math.min(50, config.concurrency), 200, (k) => readStream({ open, model: benchModelName({ pauseMs: 5, tokens: 20, tag: `wp${k}` }), timed: true }));
}

// One stream at a time, as fast as the upstream sends: tokens per second, and the server's CPU per token.
// Medians over the streams, so a burst of other work on the machine moves one stream's figure, not the result.
async function bulk({ open, serverStats }: Harness, config: ScenarioConfig) {
  const rates: number[] = [];
  const cpus: number[] = [];
  let broken = 0;
  for (let i = 0; i < config.bulkStreams; i++) {
    const before = await serverStats(false);
    const outcome = await readStream({ open, model: benchModelName({ pauseMs: 0, tokens: config.bulkTokens, tag: `b${i}` }) });
    cpus.push(cpuPerToken(before, await serverStats(false), config.bulkTokens));
    rates.push(outcome.tokens / ((outcome.endedAt - outcome.startedAt) / 1000));
    if (isBroken(outcome, config.bulkTokens)) broken++;
  }
  return { tokensPerSecond: percentile(rates, 0.5), cpuUsPerToken: percentile(cpus, 0.5), broken };
}

// The upstream sends its first token as soon as it has read the request, so all of this is added by the contender.
async function timeToFirstToken({ open }: Harness, config: ScenarioConfig) {
  const times: number[] = [];
  for (let i = 0; i < config.ttftStreams; i++) {
    const outcome = await readStream({ open, model: benchModelName({ pauseMs: 0, tokens: 4, tag: `t${i}` }) });
    if (outcome.firstAt !== undefined) times.push(outcome.firstAt - outcome.startedAt);
  }
  return summarize(times);
}

// Holds `concurrency` streams open on a slow upstream, then compares the server's memory against idle.
async function memoryPerStream({ open, serverStats }: Harness, config: ScenarioConfig) {
  const idle = await serverStats(true);
  const controllers = Array.from({ length: config.concurrency }, () => new AbortController());
  let opened = 0;
  let allOpen: () => void = () => {};
  const ready = new Promise<void>((resolve) => (allOpen = resolve));
  const streams = startMany(config.concurrency, config.rampMs, (k) =>
    readStream({ open, model: benchModelName({ pauseMs: 1000, tokens: 60, tag: `m${k}` }), signal: controllers[k], onPiece: (n) => void (n === 1 && ++opened === config.concurrency && allOpen()) }),
  );
  await Promise.race([ready, streams, sleep(config.rampMs + 10_000)]);
  const busy = await serverStats(true);
  for (const controller of controllers) controller.abort();
  await streams;
  await sleep(1000); // lets the server finish tearing the streams down before the next scenario
  const perStream = (bytes: number) => bytes / opened / 1024;
  return { streams: opened, rssKiB: perStream(busy.rss - idle.rss), heapKiB: perStream(busy.heapUsed - idle.heapUsed) };
}

// Many paced streams at once: the delay each hop after the upstream adds to every token, and whether any token was lost.
async function paced(harness: Harness, config: ScenarioConfig) {
  const { outcomes, cpuUs, broken } = await pacedStreams(harness, config, { tokens: config.pacedTokens, tag: "p" });
  return {
    streams: config.concurrency,
    tokensPerSecondEach: 1000 / config.pauseMs,
    addedMs: summarize(outcomes.flatMap((outcome) => outcome.addedMs)),
    cpuUsPerToken: cpuUs / (config.concurrency * config.pacedTokens),
    broken: broken.length,
    errors: [...new Set(broken.map((outcome) => outcome.error ?? `${outcome.tokens} tokens, in order: ${outcome.inOrder}`))].slice(0, 3),
  };
}

// `config.concurrency` streams of `tokens` each, started over the ramp at the paced pace, and the server CPU they took.
async function pacedStreams({ open, serverStats }: Harness, config: ScenarioConfig, { tokens, tag }: { tokens: number; tag: string }) {
  const before = await serverStats(false);
  const outcomes = await startMany(config.concurrency, config.rampMs, (k) =>
    readStream({ open, model: benchModelName({ pauseMs: config.pauseMs, tokens, tag: `${tag}${k}` }), timed: true }),
  );
  const cpuUs = (await serverStats(false)).cpuUs - before.cpuUs;
  return { outcomes, cpuUs, broken: outcomes.filter((outcome) => isBroken(outcome, tokens)) };
}

/**
 * Splits a paced stream's server CPU into what its start costs and what each
 * token adds: rounds of the paced scenario with streams of one token and of
 * `pacedTokens`, alternating; the medians over the rounds of the CPU per
 * stream, and from their difference the CPU each token after the first adds.
 */
export async function startAndTokenCost(harness: Harness, config: ScenarioConfig, rounds: number) {
  await warmUp(harness, config);
  const perStream = { one: [] as number[], many: [] as number[] };
  let broken = 0;
  for (let round = 0; round < rounds; round++) {
    for (const [size, tokens] of [["one", 1], ["many", config.pacedTokens]] as const) {
      const batch = await pacedStreams(harness, config, { tokens, tag: `s${round}t${tokens}k` });
      perStream[size].push(batch.cpuUs / config.concurrency);
      broken += batch.broken.length;
    }
  }
  const one = percentile(perStream.one, 0.5);
  const many = percentile(perStream.many, 0.5);
  const tokenUs = (many - one) / (config.pacedTokens - 1);
  return { streamOfOneUs: one, streamUs: many, tokenUs, startUs: one - tokenUs, broken, rounds: perStream };
}

export type StartAndTokenCost = Awaited<ReturnType<typeof startAndTokenCost>>;

/**
 * How many paced streams the server carries: the paced scenario at each of
 * `levels` concurrent streams in turn, until the p99 added delay passes
 * `maxP99Ms` or a token is lost or reordered; then once halfway between the
 * last level that held and the first that did not. A level that fails is run
 * once more and holds if either run held: a burst of other work on a shared
 * machine fails a run, not a level. `held` is the largest level that held.
 * Each run's figures say how busy the server's core was, so that a limit the
 * server did not reach (the load generator's, the upstream's) shows.
 */
export async function capacity(harness: Harness, config: ScenarioConfig, { levels, maxP99Ms }: { levels: number[]; maxP99Ms: number }) {
  await warmUp(harness, config);
  const steps: { streams: number; p99AddedMs: number; broken: number; serverCorePercent: number }[] = [];
  const runHolds = async (streams: number): Promise<boolean> => {
    const startedAt = nowMs();
    const batch = await pacedStreams(harness, { ...config, concurrency: streams }, { tokens: config.pacedTokens, tag: `cap${steps.length}k` });
    const p99AddedMs = percentile(batch.outcomes.flatMap((outcome) => outcome.addedMs), 0.99);
    steps.push({ streams, p99AddedMs, broken: batch.broken.length, serverCorePercent: batch.cpuUs / 10 / (nowMs() - startedAt) });
    await sleep(1000); // lets the streams' teardown finish before the next run
    return batch.broken.length === 0 && p99AddedMs <= maxP99Ms;
  };
  const holds = async (streams: number): Promise<boolean> => (await runHolds(streams)) || (await runHolds(streams));
  let held = 0;
  let failed: number | undefined;
  for (const streams of levels) {
    if (!(await holds(streams))) {
      failed = streams;
      break;
    }
    held = streams;
  }
  const between = failed === undefined ? undefined : Math.round((held + failed) / 2 / 50) * 50;
  if (between !== undefined && between > held && between < failed! && (await holds(between))) held = between;
  return { held, reachedTop: failed === undefined, steps };
}

export type Capacity = Awaited<ReturnType<typeof capacity>>;

// Cancels a stream after a few tokens and asks the upstream when it saw its request closed.
async function cancelToUpstreamClose({ open, upstreamClosedAt }: Harness, config: ScenarioConfig) {
  const latencies: number[] = [];
  let neverClosed = 0;
  for (let i = 0; i < config.cancels; i++) {
    const controller = new AbortController();
    let canceledAt = 0;
    const cancelAfter = (pieces: number) => pieces >= 3 && ((canceledAt = nowMs()), controller.abort(), true);
    await readStream({ open, model: benchModelName({ pauseMs: 20, tokens: 1000, tag: `c${i}` }), signal: controller, onPiece: cancelAfter });
    const closedAt = await upstreamClosedAt(`c${i}`);
    if (closedAt === undefined) neverClosed++;
    else latencies.push(closedAt - canceledAt);
  }
  return { ...summarize(latencies), neverClosed };
}

function isBroken(outcome: StreamOutcome, expected: number): boolean {
  return outcome.error !== undefined || !outcome.inOrder || outcome.tokens !== expected;
}

function cpuPerToken(before: ServerStats, after: ServerStats, tokens: number): number {
  return (after.cpuUs - before.cpuUs) / tokens;
}

// Starts `count` tasks spread evenly over `rampMs` and waits for all of them.
async function startMany<T>(count: number, rampMs: number, task: (index: number) => Promise<T>): Promise<T[]> {
  return Promise.all(Array.from({ length: count }, (_, k) => sleep((k * rampMs) / count).then(() => task(k))));
}

function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}
