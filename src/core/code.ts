/**
 * The closed set of ways a stream can end badly, spelled like Connect's codes.
 * Adapters map each to their wire's status (see `src/adapters/connect/code-to-connect.ts`).
 */
export type Code =
  | "canceled"
  | "deadline_exceeded"
  | "invalid_argument"
  | "not_found"
  | "out_of_range"
  | "resource_exhausted"
  | "unauthenticated"
  | "unavailable"
  | "internal";

/** Every {@link Code}, in a fixed order, for tables and tests. */
export const codes: readonly Code[] = [
  "canceled",
  "deadline_exceeded",
  "invalid_argument",
  "not_found",
  "out_of_range",
  "resource_exhausted",
  "unauthenticated",
  "unavailable",
  "internal",
];
