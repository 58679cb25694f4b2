import { appLogger } from "./app-logger.ts";
import { clusterMetrics } from "./cluster-metrics.ts";
import { answerWorkers } from "./primary-requests.ts";
import { logProcessEvents } from "./process-log.ts";
import { serverConfigFromEnv } from "../config/server-config.ts";
import { workerMark } from "../config/workers-config.ts";
import { superviseWorkers, type Supervision } from "./supervise-workers.ts";
import { loadPage } from "./web-page.ts";

/**
 * The primary of `TOKENWIRE_WORKERS` workers: checks the server's settings
 * once, bundles the chat page once and hands it to every worker, sums their
 * metrics for whichever worker is scraped, and supervises them (see
 * {@link superviseWorkers}). A setting it cannot start with is a `ConfigError`.
 */
export function servePrimary(env: Record<string, string | undefined>, count: number): Supervision {
  const { shutdownGraceMs } = serverConfigFromEnv(env);
  const logger = appLogger();
  logProcessEvents(logger);
  const page = loadPage();
  page.catch(() => {}); // each worker reports it on a request for the page
  answerWorkers({ page: async () => [...(await page)], metrics: clusterMetrics(), listenerClosed: async () => true });
  logger.info({ workers: count }, `starting ${count} workers`);
  return superviseWorkers({ count, env: { ...env, [workerMark]: "1" }, shutdownGraceMs, logger });
}
