import { Code, ConnectError } from "@connectrpc/connect";

/** The name of the code a Connect call failed with, as `Code` spells it (`"ResourceExhausted"`); another error reads as `"Unknown"`. */
export function codeOf(error: unknown): string {
  return Code[ConnectError.from(error).code];
}

/** Whether an error is a Connect error with this code: a predicate for `rejects.toSatisfy`. */
export const isCode = (code: Code) => (error: unknown) => error instanceof ConnectError && error.code === code;
