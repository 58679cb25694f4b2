import type { HandlerContext } from "@connectrpc/connect";
import type { CallContext } from "../../core/tokenwire.ts";

/**
 * The core's view of a Connect call. The context's signal aborts on client
 * cancel, disconnect and deadline; connect-node does not otherwise enforce a
 * deadline, so it is passed on for the producer to keep.
 */
export function callContextFrom(context: HandlerContext): CallContext {
  return {
    signal: context.signal,
    timeoutMs: context.timeoutMs(),
    headers: context.requestHeader,
    protocol: context.protocolName,
    method: `${context.service.typeName}/${context.method.name}`,
  };
}
