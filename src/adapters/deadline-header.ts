import { longestTimerMs } from "../core/deadline.ts";

// gRPC's Timeout header: up to 8 digits and a unit (https://github.com/grpc/grpc/blob/master/doc/PROTOCOL-HTTP2.md).
const grpcTimeout = /^(\d{1,8})([HMSmun])$/;
const grpcUnitMs: Record<string, number> = { H: 3_600_000, M: 60_000, S: 1000, m: 1, u: 1e-3, n: 1e-6 };
// Connect's: up to 10 digits of milliseconds (https://connectrpc.com/docs/protocol/#unary-request).
const connectTimeout = /^\d{1,10}$/;

/**
 * Removes a `grpc-timeout` or `connect-timeout-ms` request header whose
 * deadline is longer than a timer holds, so that the call runs with no deadline.
 *
 * connect-node arms the call's deadline with a plain `setTimeout`
 * (`createDeadlineSignal`, https://github.com/connectrpc/connect-es/blob/v2.2.0/packages/connect/src/protocol/signals.ts):
 * from 2^31 ms it would fire after about 1 ms and end the call at once, so a
 * one-year deadline (`grpc-timeout: 31536000S`, as grpc-go sends one) would
 * fail a call that has all the time in the world. Such a deadline is, in
 * practice, none. Well-formed values only: connect-node keeps refusing malformed ones.
 */
export function dropDeadlineBeyondTimers(header: Headers): void {
  for (const name of deadlinesBeyondTimers((name) => header.get(name))) header.delete(name);
}

/** {@link dropDeadlineBeyondTimers} on a `node:http` request's headers, before connect-node reads them. */
export function dropNodeDeadlineBeyondTimers(headers: Record<string, string | string[] | undefined>): void {
  for (const name of deadlinesBeyondTimers((name) => headers[name])) delete headers[name];
}

/** The deadline headers among a request's that ask for longer than a timer holds. @internal */
export function deadlinesBeyondTimers(get: (name: string) => unknown): string[] {
  const beyond: string[] = [];
  const grpc = grpcTimeout.exec(String(get("grpc-timeout") ?? ""));
  if (grpc && Number(grpc[1]) * grpcUnitMs[grpc[2]!]! > longestTimerMs) beyond.push("grpc-timeout");
  const connect = connectTimeout.exec(String(get("connect-timeout-ms") ?? ""));
  if (connect && Number(connect[0]) > longestTimerMs) beyond.push("connect-timeout-ms");
  return beyond;
}
