import { HealthCheckResponse_ServingStatus as ServingStatus } from "../../../gen/health/v1/health_pb.js";

/** The serving status of each service by name, with `""` for the server as a whole. */
export interface HealthStatus {
  /** The service's status; undefined for a service the server does not know. */
  get(service: string): ServingStatus | undefined;
  set(service: string, status: ServingStatus): void;
  /** Sets every known service at once, as a server that begins to shut down does. */
  setAll(status: ServingStatus): void;
  entries(): [string, ServingStatus][];
  /** Yields the service's status now and after each change, until the signal aborts. */
  watch(service: string, signal: AbortSignal): AsyncIterable<ServingStatus>;
}

/** Creates a {@link HealthStatus} in which the server as a whole is serving. */
export function createHealthStatus(): HealthStatus {
  const statuses = new Map<string, ServingStatus>([["", ServingStatus.SERVING]]);
  const waiters = new Set<() => void>();
  const changed = () => {
    for (const wake of waiters) wake();
    waiters.clear();
  };
  const nextChange = (signal: AbortSignal) =>
    new Promise<void>((resolve) => {
      // The reader may come back after the abort: an aborted signal fires no more events.
      if (signal.aborted) return resolve();
      const wake = () => {
        signal.removeEventListener("abort", wake);
        waiters.delete(wake);
        resolve();
      };
      waiters.add(wake);
      signal.addEventListener("abort", wake, { once: true });
    });
  return {
    get: (service) => statuses.get(service),
    set(service, status) {
      statuses.set(service, status);
      changed();
    },
    setAll(status) {
      for (const service of statuses.keys()) statuses.set(service, status);
      changed();
    },
    entries: () => [...statuses],
    async *watch(service, signal) {
      let last: ServingStatus | undefined;
      while (!signal.aborted) {
        const current = statuses.get(service) ?? ServingStatus.SERVICE_UNKNOWN;
        if (current !== last) yield (last = current);
        await nextChange(signal);
      }
    },
  };
}
