import { Code, ConnectError, type HandlerContext } from "@connectrpc/connect";
import { errors } from "../../core/errors.ts";
import type { CallContext } from "../../core/tokenwire.ts";

/**
 * The core's view of a Connect call. The context's signal aborts on client
 * cancel, disconnect and deadline: connect-node arms the deadline's timer
 * itself (`createDeadlineSignal`), and that one timer is the stream's, so no
 * `timeoutMs` is passed on for the core to arm a second.
 */
export function callContextFrom(context: HandlerContext): CallContext {
  return {
    signal: context.timeoutMs() === undefined ? context.signal : deadlineAware(context.signal),
    headers: context.requestHeader,
    protocol: context.protocolName,
    method: `${context.service.typeName}/${context.method.name}`,
  };
}

// The deadline aborts the context's signal with a ConnectError: the core must read it as the deadline, not as the
// client going away.
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
