import { Code, ConnectError } from "@connectrpc/connect";
import type { Code as TokenwireCode } from "../../core/code.ts";
import { TokenwireError } from "../../core/tokenwire-error.ts";
import { RetryInfoSchema } from "../../../gen/google/rpc/error_details_pb.js";

/** Each tokenwire code as Connect's `Code`, which is also the gRPC status number. */
export const connectCodes: Record<TokenwireCode, Code> = {
  canceled: Code.Canceled,
  deadline_exceeded: Code.DeadlineExceeded,
  invalid_argument: Code.InvalidArgument,
  not_found: Code.NotFound,
  out_of_range: Code.OutOfRange,
  permission_denied: Code.PermissionDenied,
  resource_exhausted: Code.ResourceExhausted,
  unauthenticated: Code.Unauthenticated,
  unavailable: Code.Unavailable,
  internal: Code.Internal,
};

// A gRPC status message travels in a trailer, which HTTP/2 peers bound (grpc-js and Go take 8 KiB of headers by
// default): past it a client gets a reset and no status at all.
const maxMessageChars = 1024;

/** Turns what a stream threw into the ConnectError that ends the RPC, its message short enough for a trailer. */
export function connectErrorFrom(reason: unknown): ConnectError {
  if (reason instanceof ConnectError) {
    return reason.rawMessage.length <= maxMessageChars ? reason : new ConnectError(reason.rawMessage.slice(0, maxMessageChars), reason.code, undefined, undefined, reason);
  }
  const error = TokenwireError.from(reason);
  return new ConnectError(error.message.slice(0, maxMessageChars), connectCodes[error.code], undefined, retryDetails(error.retryAfterMs), error);
}

// When to retry travels as google.rpc.RetryInfo, the standard detail that gRPC and Connect clients read.
function retryDetails(retryAfterMs: number | undefined) {
  if (retryAfterMs === undefined) return undefined;
  const ms = Math.max(0, Math.ceil(retryAfterMs));
  return [{ desc: RetryInfoSchema, value: { retryDelay: { seconds: BigInt(Math.floor(ms / 1000)), nanos: (ms % 1000) * 1_000_000 } } }];
}
