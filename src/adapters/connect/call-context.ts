import { Code, ConnectError, type HandlerContext } from "@connectrpc/connect";
import { errors } from "../../core/errors.ts";
import type { CallContext } from "../../core/tokenwire.ts";

/**
 * The core's view of a Connect call. The context's signal aborts on client
 * cancel, disconnect and deadline; connect-node does not otherwise enforce a
 * deadline, so it is passed on for the stream to keep.
 */
export function callContextFrom(context: HandlerContext): CallContext {
  const timeoutMs = context.timeoutMs();
  return {
    signal: timeoutMs === undefined ? context.signal : deadlineAware(context.signal),
    timeoutMs,
    headers: context.requestHeader,
    protocol: context.protocolName,
    method: `${context.service.typeName}/${context.method.name}`,
  };
}

// Connect's own deadline timer often fires before the stream's and aborts with a ConnectError: it is the
// deadline all the same, and the core must not read it as the client going away.
function deadlineAware(signal: AbortSignal): AbortSignal {
  const controller = new AbortController();
  const follow = (): void => {
    const reason: unknown = signal.reason;
    controller.abort(reason instanceof ConnectError && reason.code === Code.DeadlineExceeded ? errors.deadlineExceeded() : reason);
  };
  if (signal.aborted) follow();
  else signal.addEventListener("abort", follow, { once: true });
  return controller.signal;
}
