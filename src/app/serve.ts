import cluster from "node:cluster";
import type { Logger } from "pino";
import type { Registry } from "prom-client";
import { modelsFromEnv } from "../models/models-from-env.ts";
import { createTokenwireServer, type TokenwireServer } from "../server/create-tokenwire-server.ts";
import { serverConfigFromEnv } from "../config/server-config.ts";
import { resumableOptions } from "./resumable-options.ts";
import { listenError } from "./listen-error.ts";
import { logProcessEvents } from "./process-log.ts";
import { webPageHandler, type Page } from "./web-page.ts";
import { corsOptionsFromEnv } from "../config/cors-options-from-env.ts";
import { apiKeysFromEnv } from "./api-keys-from-env.ts";
import { exposureWarning } from "./exposure-warning.ts";
import { startTracing } from "./start-tracing.ts";
import { appLogger } from "./app-logger.ts";
import { servedProtocols, startupSummary } from "./startup-summary.ts";

/** Options of {@link serve}: what a worker of several takes from its primary. */
export interface ServeOptions {
  /** Whether stdout is a terminal, which gets lines for a person (see {@link startupSummary}); default `process.stdout.isTTY`. */
  terminal?: boolean;
  /** Default {@link appLogger}: JSON lines, or lines for a person on a terminal. */
  logger?: Logger;
  /** Where the metrics are registered; default a registry of the server's own. */
  metricsRegistry?: Registry;
  /** The chat page's files; default bundled or read by this process. */
  page?: Promise<Page>;
  /** Called once the server has stopped after SIGTERM or SIGINT. */
  onStopped?: () => void;
}

/**
 * Starts tokenwire as configured by the environment, logs where it listens
 * and what it serves (on a terminal, as a summary for a person), and shuts
 * down gracefully on SIGTERM and SIGINT. Node's own warnings and an uncaught
 * error are logged too. A setting it cannot start with, or cannot listen
 * with, is a `ConfigError`.
 */
export async function serve(env: Record<string, string | undefined> = process.env, options: ServeOptions = {}): Promise<TokenwireServer> {
  const { terminal = Boolean(process.stdout.isTTY), logger = appLogger({ terminal }) } = options;
  logProcessEvents(logger);
  const config = serverConfigFromEnv(env);
  const models = modelsFromEnv(env, { logger });
  const tracing = await startTracing(env);
  const streams = await resumableOptions(config.resumable, logger);
  const apiKeys = await apiKeysFromEnv(env, { redis: config.resumable.redis, logger });
  const access = apiKeys ? { authenticate: apiKeys.authenticate, limiter: apiKeys.limiter, observers: tracing.observers } : { observers: tracing.observers };
  const metrics = { callers: apiKeys?.callers, processMetrics: true, registry: options.metricsRegistry };
  const server = createTokenwireServer({ ...config, ...access, metrics, streams, resolve: models.resolve, logger, cors: corsOptionsFromEnv(env), fallback: webPageHandler(undefined, options.page) });
  const address = await server.listen(config.port, config.host).catch((error: unknown) => {
    throw listenError(error, config);
  });
  // Before the line that says where it listens, which tools wait for.
  const exposed = exposureWarning(env, { host: config.host, port: address.port, apiKeys: apiKeys !== undefined });
  if (exposed) logger.warn({ exposed: true }, exposed);
  const model = models.provider === "local" ? "local (tokenwire's local demo model, no network)" : `${models.defaultModel} at ${models.upstream}`;
  const listening = { address: address.address, port: address.port, tls: Boolean(config.tls), protocols: servedProtocols, model };
  // The summary once, from the first of several workers; the others and replacements say they listen in a line.
  if (terminal && (cluster.worker?.id ?? 1) === 1) process.stdout.write(startupSummary({ ...listening, apiKeysFile: apiKeys && env.TOKENWIRE_API_KEYS_FILE?.trim() }, { color: !env.NO_COLOR }));
  else logger.info(listening, `tokenwire listening on ${config.tls ? "https" : "http"}://${address.address}:${address.port} (Connect, gRPC, gRPC-Web, OpenAI, AI SDK; HTTP/1.1 and HTTP/2), model ${model}`);
  if (models.providers.length > 1) logger.info({ providers: models.providers }, `models: ${models.providers.map((p) => `${p.models.join(", ")} from ${p.name}${p.upstream ? ` at ${p.upstream}` : ""}`).join("; ")}`);
  if (tracing.exporter) logger.info({ tracing: tracing.exporter }, `tracing: one span per stream, sent to ${tracing.exporter.endpoint} over OTLP ${tracing.exporter.protocol}`);
  let stopping = false;
  // Once, though a worker of several gets both the terminal's SIGINT and its primary's SIGTERM.
  const stop = (signal: string) => {
    if (stopping) return;
    stopping = true;
    logger.info({ signal, graceMs: config.shutdownGraceMs }, "shutting down");
    void server
      .shutdown(config.shutdownGraceMs)
      .then(() => streams.log.close())
      .then(() => apiKeys?.close())
      .then(() => tracing.shutdown())
      .then(() => (logger.info("stopped"), options.onStopped?.()));
  };
  process.once("SIGTERM", stop);
  process.once("SIGINT", stop);
  return server;
}
