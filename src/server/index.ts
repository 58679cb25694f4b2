// tokenwire's standalone server: the one-port server with health, reflection, CORS, graceful shutdown, API keys and metrics.
export { createTokenwireServer, type TokenwireServer, type TokenwireServerOptions } from "./create-tokenwire-server.ts";
export { apiKeyAuthenticator, type ApiKeyAuthenticator, type ApiKeyAuthenticatorOptions } from "./api-keys.ts";
export { readApiKeysFile, parseApiKeys, type ApiKeyCaller, type CallerLimits } from "../config/api-keys-file.ts";
export { createLocalLimits, type AdmitOptions, type LimitStore, type Lease } from "./caller-limits.ts";
export { createTokenwireMetrics, type TokenwireMetrics, type TokenwireMetricsOptions } from "./tokenwire-metrics.ts";
export { traceObserver, type TraceObserverOptions } from "../adapters/otel/trace-observer.ts";
