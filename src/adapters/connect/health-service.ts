import { Code, ConnectError, type ConnectRouter, type HandlerContext, type ServiceImpl } from "@connectrpc/connect";
import { Health, HealthCheckResponse_ServingStatus as ServingStatus } from "../../../gen/health/v1/health_pb.js";
import type { HealthStatus } from "./health-status.ts";

/** Options of {@link healthRoutes}. */
export interface HealthRoutesOptions {
  /** Ends every `Watch` with `unavailable` when aborted, so a server can close its connections. */
  signal?: AbortSignal;
  /** `Watch` calls open at once; more get `resource_exhausted`. Default 1024. */
  maxWatches?: number;
}

/** `grpc.health.v1.Health` over a {@link HealthStatus}: Check, Watch and List. */
export function healthServiceImpl(health: HealthStatus, options: HealthRoutesOptions = {}): ServiceImpl<typeof Health> {
  // Each Watch holds a stream open for as long as the client likes: unbounded, they are memory for the asking.
  const maxWatches = options.maxWatches ?? 1024;
  let watching = 0;
  return {
    check({ service }) {
      const status = health.get(service);
      if (status === undefined) throw new ConnectError(`unknown service "${service}"`, Code.NotFound);
      return { status };
    },
    async *watch({ service }, context: HandlerContext) {
      if (watching >= maxWatches) throw new ConnectError(`the server is at its limit of ${maxWatches} health watches`, Code.ResourceExhausted);
      watching++;
      // Released on the call's signal too: a generator parked on a write to a client that went away is
      // never resumed, so its finally never runs (connect-node awaits the write and never returns the generator).
      let released = false;
      const release = () => {
        if (released) return;
        released = true;
        watching--;
      };
      context.signal.addEventListener("abort", release, { once: true });
      try {
        const signal = options.signal ? AbortSignal.any([context.signal, options.signal]) : context.signal;
        for await (const status of health.watch(service, signal)) yield { status };
        if (options.signal?.aborted) throw new ConnectError("the server is shutting down", Code.Unavailable);
      } finally {
        context.signal.removeEventListener("abort", release);
        release();
      }
    },
    list() {
      return { statuses: Object.fromEntries(health.entries().map(([service, status]) => [service, { status }])) };
    },
  };
}

/**
 * Registers `grpc.health.v1.Health` and marks every service already on the
 * router as serving; register it after the services it reports on.
 */
export function healthRoutes(health: HealthStatus, options: HealthRoutesOptions = {}) {
  return (router: ConnectRouter): void => {
    router.service(Health, healthServiceImpl(health, options));
    for (const { service } of router.handlers) health.set(service.typeName, ServingStatus.SERVING);
  };
}
