import { pino, type Logger } from "pino";
import { modelsFromEnv } from "../models/models-from-env.ts";
import { createTokenwireServer, type TokenwireServer } from "../server/create-tokenwire-server.ts";
import { serverConfigFromEnv } from "./server-config.ts";
import { resumableOptions } from "./resumable-config.ts";
import { listenError } from "./listen-error.ts";
import { logProcessEvents } from "./process-log.ts";
import { webPageHandler } from "./web-page.ts";
import { corsOptionsFromEnv } from "../adapters/cors-headers.ts";
import { apiKeysFromEnv } from "./api-keys-from-env.ts";
import { exposureWarning } from "./exposure-warning.ts";
import { startTracing } from "./start-tracing.ts";

/**
 * Starts tokenwire as configured by the environment, logs where it listens
 * and what it serves, and shuts down gracefully on SIGTERM and SIGINT. Node's
 * own warnings and an uncaught error are logged too, as JSON lines. A
 * setting it cannot start with, or cannot listen with, is a `ConfigError`.
 */
export async function serve(env: Record<string, string | undefined> = process.env, logger: Logger = pino()): Promise<TokenwireServer> {
  logProcessEvents(logger);
  const config = serverConfigFromEnv(env);
  const models = modelsFromEnv(env, { logger });
  const tracing = await startTracing(env);
  const streams = await resumableOptions(config.resumable, logger);
  const apiKeys = await apiKeysFromEnv(env, { redisUrl: config.resumable.redisUrl, logger });
  const access = apiKeys ? { authenticate: apiKeys.authenticate, observers: [apiKeys.observer, ...tracing.observers] } : { observers: tracing.observers };
  const metrics = { callers: apiKeys?.callers, processMetrics: true };
  const server = createTokenwireServer({ ...config, ...access, metrics, streams, resolve: models.resolve, logger, cors: corsOptionsFromEnv(env), fallback: webPageHandler() });
  const address = await server.listen(config.port, config.host).catch((error: unknown) => {
    throw listenError(error, config);
  });
  // Before the line that says where it listens, which tools wait for.
  const exposed = exposureWarning(env, { host: config.host, port: address.port, apiKeys: apiKeys !== undefined });
  if (exposed) logger.warn({ exposed: true }, exposed);
  const model = models.provider === "local" ? "local (tokenwire's local demo model, no network)" : `${models.defaultModel} at ${models.upstream}`;
  logger.info(
    { address: address.address, port: address.port, tls: Boolean(config.tls), protocols: ["connect", "grpc", "grpc-web"], model },
    `tokenwire listening on ${config.tls ? "https" : "http"}://${address.address}:${address.port} (Connect, gRPC, gRPC-Web; HTTP/1.1 and HTTP/2), model ${model}`,
  );
  if (models.providers.length > 1) logger.info({ providers: models.providers }, `models: ${models.providers.map((p) => `${p.models.join(", ")} from ${p.name}${p.upstream ? ` at ${p.upstream}` : ""}`).join("; ")}`);
  if (tracing.exporter) logger.info({ tracing: tracing.exporter }, `tracing: one span per stream, sent to ${tracing.exporter.endpoint} over OTLP ${tracing.exporter.protocol}`);
  const stop = (signal: string) => {
    logger.info({ signal, graceMs: config.shutdownGraceMs }, "shutting down");
    void server.shutdown(config.shutdownGraceMs).then(() => streams.log.close()).then(() => apiKeys?.close()).then(() => tracing.shutdown()).then(() => logger.info("stopped"));
  };
  process.once("SIGTERM", stop);
  process.once("SIGINT", stop);
  return server;
}
