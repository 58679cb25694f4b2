import type { TokenwireServer } from "../server/create-tokenwire-server.ts";
import { workerMetricsRegistry } from "./cluster-metrics.ts";
import { askPrimary } from "./primary-requests.ts";
import { serve } from "./serve.ts";

/**
 * {@link serve} in a worker of `TOKENWIRE_WORKERS`: the chat page comes
 * from the primary, which bundled it once; `/metrics` answers with the sum
 * of every worker's; and the process exits once its server has stopped and
 * the primary has no connection on its way to it (the channel to the primary
 * would otherwise keep it alive).
 */
export function serveWorker(env: Record<string, string | undefined>): Promise<TokenwireServer> {
  return serve(env, {
    metricsRegistry: workerMetricsRegistry(),
    page: askPrimary("page").then((files) => new Map(files)),
    onStopped: () => void askPrimary("listenerClosed").finally(() => process.exit(0)),
  });
}
