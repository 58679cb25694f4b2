import { AggregatorRegistry, Registry } from "prom-client";
import { askPrimary } from "./primary-requests.ts";

/**
 * In the primary: collects every worker's metrics and sums them with
 * prom-client's own cluster aggregation (counters and histograms summed,
 * each default metric as prom-client aggregates it), so that a scrape that
 * reaches any worker reads the totals of all.
 */
export function clusterMetrics(): () => Promise<string> {
  const aggregator = new AggregatorRegistry();
  return () => aggregator.clusterMetrics();
}

/**
 * In a worker: the registry to register the server's metrics in. The
 * primary reads it for the sum; a scrape of this worker's `/metrics` asks the
 * primary for that sum rather than answering with this worker's share.
 */
export function workerMetricsRegistry(): Registry {
  const registry = new WorkerRegistry();
  // Constructing one is what makes prom-client answer the primary's requests in a worker.
  new AggregatorRegistry();
  AggregatorRegistry.setRegistries([registry]);
  return registry;
}

class WorkerRegistry extends Registry {
  override metrics(): Promise<string> {
    return askPrimary("metrics");
  }
}
