import { Code, ConnectError, type Interceptor } from "@connectrpc/connect";
import type { Logger } from "../../core/logger.ts";

/**
 * Logs a streaming call refused because its request message is larger than
 * the read limit (`readMaxBytes`): connect refuses it with
 * `resource_exhausted` before the core sees a stream, so no stream line says it.
 */
export function readLimitInterceptor(logger: Logger): Interceptor {
  return (next) => async (request) => {
    try {
      return await next(request);
    } catch (reason) {
      warnReadLimit(logger, { method: `${request.service.typeName}/${request.method.name}`, reason });
      throw reason;
    }
  };
}

/** The log line of {@link readLimitInterceptor}, for a call that failed with `reason`; other failures say nothing. */
export function warnReadLimit(logger: Logger, { method, reason }: { method: string; reason: unknown }): void {
  const error = ConnectError.from(reason);
  if (error.code === Code.ResourceExhausted && error.rawMessage.includes("readMaxBytes")) {
    logger.warn({ method, status: "resource_exhausted", message: error.rawMessage }, "request larger than the read limit");
  }
}
