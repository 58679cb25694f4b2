import { Code, ConnectError, type Interceptor } from "@connectrpc/connect";

/** Options of {@link drainingInterceptor}. */
export interface DrainingInterceptorOptions {
  /** True once the server has begun to shut down. */
  isDraining: () => boolean;
  /** Services still answered while draining, such as health checking and reflection. */
  exempt: readonly string[];
}

/**
 * Refuses new calls with `unavailable` once the server drains, so that a
 * client retries elsewhere while the streams in flight finish.
 */
export function drainingInterceptor({ isDraining, exempt }: DrainingInterceptorOptions): Interceptor {
  return (next) => async (request) => {
    if (isDraining() && !exempt.includes(request.service.typeName)) {
      throw new ConnectError("the server is shutting down", Code.Unavailable);
    }
    return next(request);
  };
}
