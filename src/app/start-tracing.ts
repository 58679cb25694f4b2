import type { StreamObserver } from "../core/tokenwire.ts";
import { traceObserver } from "../adapters/otel/trace-observer.ts";
import { ConfigError } from "../config/config-error.ts";
import { tracingConfigFromEnv } from "../config/tracing-config.ts";

/** Tracing as `npm start` runs it: the observers to give the server, and how to flush the spans at exit. */
export interface Tracing {
  observers: StreamObserver[];
  /** Where spans go and how, without credentials, for the startup line; undefined when tracing is off. */
  exporter: { endpoint: string; protocol: string } | undefined;
  /** Sends the spans still buffered and stops the SDK. */
  shutdown(): Promise<void>;
}

const off: Tracing = { observers: [], exporter: undefined, shutdown: async () => {} };

/**
 * Starts OpenTelemetry's Node SDK when the standard environment names an OTLP
 * endpoint (see {@link tracingConfigFromEnv}), and gives one span per stream;
 * otherwise loads nothing and observes nothing. The SDK reads the rest of the
 * `OTEL_*` environment itself: headers, `OTEL_SERVICE_NAME` (default here
 * `tokenwire`), `OTEL_TRACES_SAMPLER` and `OTEL_PROPAGATORS`.
 */
export async function startTracing(env: Record<string, string | undefined>): Promise<Tracing> {
  const config = tracingConfigFromEnv(env);
  if (!config) return off;
  const { NodeSDK } = await loadSdk();
  // Traces only: tokenwire's metrics are Prometheus's, and it writes no OpenTelemetry logs, so nothing else is exported.
  const sdk = new NodeSDK({ serviceName: config.serviceNamed ? undefined : "tokenwire", metricReaders: [], logRecordProcessors: [] });
  sdk.start();
  return { observers: [traceObserver()], exporter: { endpoint: config.endpoint, protocol: config.protocol }, shutdown: () => sdk.shutdown() };
}

// The SDK is the application's, not the library's: an installed tokenwire may not have it.
async function loadSdk(): Promise<typeof import("@opentelemetry/sdk-node")> {
  try {
    return await import("@opentelemetry/sdk-node");
  } catch (cause) {
    if ((cause as NodeJS.ErrnoException).code !== "ERR_MODULE_NOT_FOUND") throw cause;
    throw new ConfigError("OTEL_EXPORTER_OTLP_ENDPOINT is set but @opentelemetry/sdk-node is not installed: install it beside tokenwire, or unset the endpoint", { cause });
  }
}
