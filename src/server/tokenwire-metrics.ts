import { collectDefaultMetrics, Counter, Gauge, Histogram, Registry } from "prom-client";
import { connectionFailureCode, httpStatusOf } from "../core/error-causes.ts";
import type { ObservedStream, StreamObserver, StreamOutcome } from "../core/tokenwire.ts";
import type { NodeHandler } from "../adapters/node/one-port-server.ts";
import { boundedLabel } from "./bounded-label.ts";

/** Options of {@link createTokenwireMetrics}. */
export interface TokenwireMetricsOptions {
  /** Where the metrics are registered; default a registry of their own. */
  registry?: Registry;
  /** The callers' names, as API keys name them: any other is counted as `other`. Unset: the first 100 seen. */
  callers?: readonly string[];
  /** Adds prom-client's metrics of the process: CPU, memory, event loop delay, garbage collection. */
  processMetrics?: boolean;
  /** The models the service offers, the only model labels; any other is counted as `other`. Unset: the first 20 seen. */
  models?: () => readonly string[];
}

/** tokenwire's Prometheus metrics, and what feeds them. */
export interface TokenwireMetrics {
  readonly registry: Registry;
  /** Counts each stream from its start to its end, resumes and stops among them: pass it in the options' `observers`. */
  observer: StreamObserver;
  /** Serves `GET /metrics` in Prometheus's text format; anything else goes to `fallback`. */
  handler(fallback: NodeHandler): NodeHandler;
}

const seconds = [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60];
const gapSeconds = [0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.075, 0.1, 0.15, 0.2, 0.3, 0.5, 1, 2.5];

/**
 * Creates the metrics of streams: started, open and ended by code; time to
 * first token and the gap between tokens; tokens out; usage by model and
 * caller; upstream failures by HTTP status; resumes and stops. Labels are
 * bounded: no stream ids or prompts, models the service does not offer
 * counted as `other`.
 */
export function createTokenwireMetrics(options: TokenwireMetricsOptions = {}): TokenwireMetrics {
  const registry = options.registry ?? new Registry();
  if (options.processMetrics) collectDefaultMetrics({ register: registry });
  const registers = [registry];
  const metric = { registers };
  const started = new Counter({ name: "tokenwire_streams_started_total", help: "Streams started, by kind and protocol", labelNames: ["kind", "protocol"], ...metric });
  const open = new Gauge({ name: "tokenwire_streams_open", help: "Streams open now, by kind", labelNames: ["kind"], ...metric });
  const ended = new Counter({ name: "tokenwire_streams_ended_total", help: "Streams ended, by kind, protocol, caller and status code (ok or the error's code)", labelNames: ["kind", "protocol", "caller", "code"], ...metric });
  const firstToken = new Histogram({ name: "tokenwire_time_to_first_token_seconds", help: "Time from a generation's start to its first token", labelNames: ["model"], buckets: seconds, ...metric });
  const gap = new Histogram({ name: "tokenwire_inter_token_gap_seconds", help: "Mean gap between a generation's tokens, one observation per generation of two tokens or more", labelNames: ["model"], buckets: gapSeconds, ...metric });
  const tokensOut = new Counter({ name: "tokenwire_tokens_out_total", help: "Tokens streamed out by generations (text, reasoning and tool-call pieces)", labelNames: ["model"], ...metric });
  const usage = new Counter({ name: "tokenwire_usage_tokens_total", help: "Tokens the upstream reported in its usage, by model, caller and type (input or output)", labelNames: ["model", "caller", "type"], ...metric });
  const upstream = new Counter({ name: "tokenwire_upstream_failures_total", help: "Generations the upstream failed, by its HTTP status (or connection when none came)", labelNames: ["status"], ...metric });
  const resumes = new Counter({ name: "tokenwire_resumes_total", help: "Readers that resumed a resumable stream (ResumeStream, the AI SDK's resume)", ...metric });
  const stops = new Counter({ name: "tokenwire_stops_total", help: "Stop requests that stopped a stream still generating", ...metric });

  const model = boundedLabel(options.models ?? (() => []), 20);
  const caller = boundedLabel(() => options.callers ?? [], 100);
  const protocol = boundedLabel(() => [], 16);

  const end = (stream: ObservedStream, outcome: StreamOutcome & { protocol: string }): void => {
    const { summary } = outcome;
    const who = outcome.caller === undefined ? "anonymous" : caller(outcome.caller);
    open.dec({ kind: stream.kind });
    ended.inc({ kind: stream.kind, protocol: outcome.protocol, caller: who, code: summary.error?.code ?? "ok" });
    // A reader replays what its generation did: only generations count tokens, usage, stops and upstream failures.
    if (stream.kind !== "generation") return;
    if (summary.error?.reason === "stopped") stops.inc();
    const name = model(outcome.model || "none");
    if (summary.timeToFirstTokenMs !== undefined) firstToken.observe({ model: name }, summary.timeToFirstTokenMs / 1000);
    if (summary.tokens >= 2 && summary.timeToFirstTokenMs !== undefined) gap.observe({ model: name }, (summary.durationMs - summary.timeToFirstTokenMs) / (summary.tokens - 1) / 1000);
    tokensOut.inc({ model: name }, summary.tokens);
    if (summary.usage) {
      usage.inc({ model: name, caller: who, type: "input" }, summary.usage.inputTokens);
      usage.inc({ model: name, caller: who, type: "output" }, summary.usage.outputTokens);
    }
    const status = upstreamStatusOf(summary.error);
    if (status) upstream.inc({ status });
  };

  return {
    registry,
    observer(stream) {
      const on = protocol(stream.context.protocol ?? "in-process");
      started.inc({ kind: stream.kind, protocol: on });
      open.inc({ kind: stream.kind });
      if (stream.kind === "read") resumes.inc();
      return { end: (outcome) => end(stream, { ...outcome, protocol: on }) };
    },
    handler: (fallback) => (req, res) => {
      if (req.url?.split("?", 1)[0] !== "/metrics" || req.method !== "GET") return fallback(req, res);
      const reply = (status: number, type: string, body: string): void => {
        res.writeHead(status, { "content-type": type });
        res.end(body);
      };
      registry.metrics().then(
        (text) => reply(200, registry.contentType, text),
        () => reply(500, "text/plain", "the metrics could not be collected\n"),
      );
    },
  };
}

// The upstream's HTTP status, or `connection` for a failure to reach it, from the error's causes.
function upstreamStatusOf(error: { cause?: unknown } | undefined): string | undefined {
  const status = httpStatusOf(error?.cause);
  if (status !== undefined) return String(status);
  return connectionFailureCode(error?.cause) === undefined ? undefined : "connection";
}
