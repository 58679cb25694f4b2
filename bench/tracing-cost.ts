// `node bench/tracing-cost.ts [--streams 2000]`: what tracing costs per stream, in one process on the local demo
// model (no network, so the figures are the server's alone). Off is `npm start` with no OTLP endpoint: no SDK, no
// observer, and one no-op `propagation.inject` per model request. Rounds alternate between the rows so that the
// machine's drift falls on all of them; each row's figure is its median round.
import { parseArgs } from "node:util";
import { context, propagation } from "@opentelemetry/api";
import { createTokenwire } from "../src/core/tokenwire.ts";
import type { StreamObserver } from "../src/core/tokenwire-options.ts";
import { LocalChatModel } from "../src/models/local-chat-model.ts";
import { traceObserver } from "../src/adapters/otel/trace-observer.ts";

const { values: flags } = parseArgs({ options: { streams: { type: "string" }, rounds: { type: "string" } } });
const streams = Number(flags.streams ?? 2000);
const rounds = Number(flags.rounds ?? 7);
const model = new LocalChatModel({ tokensPerSecond: 0 });
const headers = new Headers({ traceparent: "00-0af7651916cd43dd8448eb211c80319c-b7ad6b7169203331-01" });

/** CPU µs per stream of `streams` streams one after another, with these observers. */
async function cpuPerStream(observers: StreamObserver[]): Promise<number> {
  const tokenwire = createTokenwire({ resolve: () => ({ model: "local", runnable: model, input: "hello" }), observers });
  const before = process.cpuUsage();
  for (let i = 0; i < streams; i++) {
    for await (const _ of tokenwire.streamTokens({ prompt: "hello" }, { headers, protocol: "grpc", method: "bench" }));
  }
  const used = process.cpuUsage(before);
  return (used.user + used.system) / streams;
}

/** Nanoseconds of CPU per call of the step tracing adds to every model request when it is off. */
function noOpInjectNs(calls = 1_000_000): number {
  const before = process.cpuUsage();
  for (let i = 0; i < calls; i++) propagation.inject(context.active(), {});
  const used = process.cpuUsage(before);
  return ((used.user + used.system) * 1000) / calls;
}

function median(values: number[]): number {
  const sorted = values.toSorted((a, b) => a - b);
  return sorted[Math.floor(sorted.length / 2)]!;
}

async function measure(rows: Record<string, StreamObserver[]>): Promise<Record<string, number>> {
  const samples: Record<string, number[]> = Object.fromEntries(Object.keys(rows).map((name) => [name, []]));
  for (const observers of Object.values(rows)) await cpuPerStream(observers); // warm-up
  for (let round = 0; round < rounds; round++) {
    for (const [name, observers] of Object.entries(rows)) samples[name]!.push(await cpuPerStream(observers));
  }
  return Object.fromEntries(Object.entries(samples).map(([name, values]) => [name, median(values)]));
}

const injectNs = noOpInjectNs();
const withoutSdk = await measure({ off: [], observer: [traceObserver()] });
// The SDK as start-tracing.ts sets it up, with an exporter that drops the spans: the cost of tracing, not of a collector.
const { NodeSDK } = await import("@opentelemetry/sdk-node");
const exporter = { export: (_spans: unknown, done: (result: { code: number }) => void) => done({ code: 0 }), shutdown: async () => {} };
const sdk = new NodeSDK({ traceExporter: exporter, metricReaders: [], logRecordProcessors: [] });
sdk.start();
const withSdk = await measure({ off: [], observer: [traceObserver()] });
await sdk.shutdown();

// Each pair is measured in the same phase: the second row against the first.
const change = (value: number, base: number) => `${value >= base ? "+" : ""}${((value / base - 1) * 100).toFixed(1)} %`;
console.log(`| row | server CPU µs per stream (${streams} streams × ${rounds} rounds, median round) | vs the row above |`);
console.log("| --- | --- | --- |");
console.log(`| tracing off: no SDK, no observer (npm start with no endpoint) | ${withoutSdk.off!.toFixed(1)} | |`);
console.log(`| traceObserver with no SDK registered (an embedder's) | ${withoutSdk.observer!.toFixed(1)} | ${change(withoutSdk.observer!, withoutSdk.off!)} |`);
console.log(`| SDK registered, no observer | ${withSdk.off!.toFixed(1)} | |`);
console.log(`| tracing on: SDK and one span per stream | ${withSdk.observer!.toFixed(1)} | ${change(withSdk.observer!, withSdk.off!)} |`);
console.log(`\nno-op propagation.inject, the one step tracing off adds to each model request: ${injectNs.toFixed(1)} ns`);
