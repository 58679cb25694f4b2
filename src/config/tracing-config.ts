/** Tracing as the standard `OTEL_*` environment asks for it, read by {@link tracingConfigFromEnv}. */
export interface TracingConfig {
  /** Where spans go, without credentials, for the startup line. */
  endpoint: string;
  /** `http/protobuf` (the default), `http/json` or `grpc`. */
  protocol: string;
  /** Whether the environment names the service (`OTEL_SERVICE_NAME`, or `service.name` in `OTEL_RESOURCE_ATTRIBUTES`); otherwise it is `tokenwire`. */
  serviceNamed: boolean;
}

/**
 * Reads whether to trace: an OTLP endpoint (`OTEL_EXPORTER_OTLP_ENDPOINT` or
 * `OTEL_EXPORTER_OTLP_TRACES_ENDPOINT`) turns tracing on, unless
 * `OTEL_SDK_DISABLED=true` or `OTEL_TRACES_EXPORTER=none`; undefined when off.
 * The SDK reads the rest of the `OTEL_*` environment itself.
 */
export function tracingConfigFromEnv(env: Record<string, string | undefined>): TracingConfig | undefined {
  const endpoint = env.OTEL_EXPORTER_OTLP_TRACES_ENDPOINT || env.OTEL_EXPORTER_OTLP_ENDPOINT;
  if (!endpoint || env.OTEL_SDK_DISABLED === "true" || env.OTEL_TRACES_EXPORTER === "none") return undefined;
  return {
    endpoint: withoutCredentials(endpoint),
    protocol: env.OTEL_EXPORTER_OTLP_TRACES_PROTOCOL || env.OTEL_EXPORTER_OTLP_PROTOCOL || "http/protobuf",
    serviceNamed: Boolean(env.OTEL_SERVICE_NAME) || /(^|,)\s*service\.name\s*=/.test(env.OTEL_RESOURCE_ATTRIBUTES ?? ""),
  };
}

function withoutCredentials(endpoint: string): string {
  if (!URL.canParse(endpoint)) return "(not a URL)";
  const url = new URL(endpoint);
  return `${url.protocol}//${url.host}${url.pathname === "/" ? "" : url.pathname}`;
}
