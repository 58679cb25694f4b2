import { Code, ConnectError, type ConnectRouter, type HandlerContext, type ServiceImpl } from "@connectrpc/connect";
import { Health, HealthCheckResponse_ServingStatus as ServingStatus } from "../../../gen/health/v1/health_pb.js";
import type { HealthStatus } from "./health-status.ts";

/** Options of {@link healthRoutes}. */
export interface HealthRoutesOptions {
  /** Ends every `Watch` with `unavailable` when aborted, so a server can close its connections. */
  signal?: AbortSignal;
}

/** `grpc.health.v1.Health` over a {@link HealthStatus}: Check, Watch and List. */
export function healthServiceImpl(health: HealthStatus, options: HealthRoutesOptions = {}): ServiceImpl<typeof Health> {
  return {
    check({ service }) {
      const status = health.get(service);
      if (status === undefined) throw new ConnectError(`unknown service "${service}"`, Code.NotFound);
      return { status };
    },
    async *watch({ service }, context: HandlerContext) {
      const signal = options.signal ? AbortSignal.any([context.signal, options.signal]) : context.signal;
      for await (const status of health.watch(service, signal)) yield { status };
      if (options.signal?.aborted) throw new ConnectError("the server is shutting down", Code.Unavailable);
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
