import { Code, ConnectError } from "@connectrpc/connect";
import type { Code as TokenwireCode } from "../../core/code.ts";
import { TokenwireError } from "../../core/tokenwire-error.ts";

/** Each tokenwire code as Connect's `Code`, which is also the gRPC status number. */
export const connectCodes: Record<TokenwireCode, Code> = {
  canceled: Code.Canceled,
  deadline_exceeded: Code.DeadlineExceeded,
  invalid_argument: Code.InvalidArgument,
  not_found: Code.NotFound,
  out_of_range: Code.OutOfRange,
  resource_exhausted: Code.ResourceExhausted,
  unauthenticated: Code.Unauthenticated,
  unavailable: Code.Unavailable,
  internal: Code.Internal,
};

/** Turns what a stream threw into the ConnectError that ends the RPC. */
export function connectErrorFrom(reason: unknown): ConnectError {
  if (reason instanceof ConnectError) return reason;
  const error = TokenwireError.from(reason);
  return new ConnectError(error.message, connectCodes[error.code], undefined, undefined, error);
}
