import { workerMark } from "./workers-config.ts";

/** One environment variable tokenwire reads. */
export interface Setting {
  name: string;
  /** What it sets, in a few words. */
  meaning: string;
  /** Set by tokenwire for its own processes, not by users, so the configuration table leaves it out. */
  internal?: boolean;
}

/**
 * Every environment variable tokenwire reads, `npm start` and the `tokenwire`
 * command line alike: the configuration table of the README lists exactly
 * these, and `npm start` refuses a variable that looks like one of them and
 * is none (see {@link checkSettingNames}).
 */
export const settings: readonly Setting[] = [
  { name: "HOST", meaning: "the address to listen on" },
  { name: "PORT", meaning: "the port for every protocol" },
  { name: "TLS_CERT_FILE", meaning: "the server's PEM certificate" },
  { name: "TLS_KEY_FILE", meaning: "the PEM key of TLS_CERT_FILE" },
  { name: "TOKENWIRE_SHUTDOWN_GRACE_MS", meaning: "how long streams in flight may go on after SIGTERM or SIGINT" },
  { name: "TOKENWIRE_WORKERS", meaning: "server processes sharing the port" },
  { name: "TOKENWIRE_READ_MAX_BYTES", meaning: "the largest request message" },
  { name: "TOKENWIRE_MAX_STREAMS", meaning: "streams open at once" },
  { name: "TOKENWIRE_MAX_HEALTH_WATCHES", meaning: "health Watch calls open at once" },
  { name: "TOKENWIRE_HEADERS_TIMEOUT_MS", meaning: "the time a connection has to send a request's headers" },
  { name: "TOKENWIRE_REQUEST_TIMEOUT_MS", meaning: "the time a request has to arrive whole" },
  { name: "TOKENWIRE_IDLE_TIMEOUT_MS", meaning: "how long a connection with nothing in flight stays open" },
  { name: "TOKENWIRE_MAX_CONNECTIONS", meaning: "connections open at once" },
  { name: "TOKENWIRE_MAX_INPUT_CHARS", meaning: "characters of prompt, messages and variables together" },
  { name: "TOKENWIRE_MAX_TOKENS", meaning: "the largest max_tokens a caller may ask for" },
  { name: "TOKENWIRE_COALESCE_MS", meaning: "the window within which a stream's text deltas merge before they are written" },
  { name: "TOKENWIRE_MODELS", meaning: "the model names a caller may ask for" },
  { name: "TOKENWIRE_API_KEYS_FILE", meaning: "the JSON file of callers, their keys' SHA-256 and their limits" },
  { name: "TOKENWIRE_CORS_ORIGINS", meaning: "browser origins allowed to call" },
  { name: "TOKENWIRE_LOCAL_TOKENS_PER_SECOND", meaning: "the pace of the local demo model" },
  { name: "REDIS_CLUSTER_NODES", meaning: "a Redis Cluster's seed nodes, as redis:// URLs, instead of REDIS_URL" },
  { name: "REDIS_SENTINELS", meaning: "the host:port of Redis Sentinels, instead of REDIS_URL" },
  { name: "REDIS_SENTINEL_MASTER", meaning: "the name the Sentinels watch the master under" },
  { name: "TOKENWIRE_REDIS_ANSWER_MS", meaning: "how long Redis has to answer before it counts as stalled" },
  { name: "TOKENWIRE_REDIS_FAILOVER_MS", meaning: "how long resumable streams wait for a Redis failover" },
  { name: "REDIS_URL", meaning: "the Redis that keeps resumable streams and callers' limits" },
  { name: "TOKENWIRE_RESUMABLE", meaning: "whether every StreamTokens call is resumable" },
  { name: "TOKENWIRE_RESUME_GRACE_MS", meaning: "how long a resumable stream goes on after its last reader left" },
  { name: "TOKENWIRE_STREAM_RETENTION_MS", meaning: "how long an ended resumable stream stays readable" },
  { name: "TOKENWIRE_STREAM_RETAINED_BYTES", meaning: "without Redis, the bytes of ended streams this process keeps at most; past it the streams that ended first are forgotten early" },
  { name: "OPENAI_API_KEY", meaning: "the upstream's key" },
  { name: "OPENAI_BASE_URL", meaning: "an OpenAI-compatible server" },
  { name: "OPENAI_API", meaning: "chat or responses: the API an OpenAI upstream is called through" },
  { name: "OPENAI_MODEL", meaning: "the default model" },
  { name: "OPENAI_MAX_RETRIES", meaning: "retries of a call that fails before the reply's first byte" },
  { name: "TOKENWIRE_MODELS_FILE", meaning: "the JSON file of providers and the models each serves" },
  { name: "ANTHROPIC_API_KEY", meaning: "the key of an anthropic provider of the models file" },
  { name: "OTEL_EXPORTER_OTLP_ENDPOINT", meaning: "where spans go" },
  { name: "OTEL_EXPORTER_OTLP_TRACES_ENDPOINT", meaning: "where spans go, before OTEL_EXPORTER_OTLP_ENDPOINT" },
  { name: "OTEL_EXPORTER_OTLP_PROTOCOL", meaning: "the OTLP protocol" },
  { name: "OTEL_EXPORTER_OTLP_TRACES_PROTOCOL", meaning: "the OTLP protocol of spans, before OTEL_EXPORTER_OTLP_PROTOCOL" },
  { name: "OTEL_SERVICE_NAME", meaning: "the spans' service.name" },
  { name: "OTEL_RESOURCE_ATTRIBUTES", meaning: "the spans' resource, service.name among them" },
  { name: "OTEL_TRACES_SAMPLER", meaning: "which streams are traced" },
  { name: "OTEL_TRACES_SAMPLER_ARG", meaning: "the sampler's argument" },
  { name: "OTEL_SDK_DISABLED", meaning: "true: no tracing" },
  { name: "OTEL_TRACES_EXPORTER", meaning: "none: no tracing" },
  { name: "TOKENWIRE_URL", meaning: "the server tokenwire ask calls" },
  { name: "TOKENWIRE_API_KEY", meaning: "the key tokenwire ask sends" },
  { name: "NO_COLOR", meaning: "tokenwire ask writes no colour" },
  { name: workerMark, meaning: "marks the workers npm start forks", internal: true },
];
