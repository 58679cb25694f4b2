/**
 * The closed set of ways a stream can end badly, spelled like Connect's codes.
 * Adapters map each to their wire's status (`src/adapters/connect/connect-error-from.ts`, `src/adapters/http-statuses.ts`).
 */
export type Code =
  | "canceled"
  | "deadline_exceeded"
  | "invalid_argument"
  | "not_found"
  | "out_of_range"
  | "permission_denied"
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
  "permission_denied",
  "resource_exhausted",
  "unauthenticated",
  "unavailable",
  "internal",
];
