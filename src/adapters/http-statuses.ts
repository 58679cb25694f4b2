import type { Code } from "../core/code.ts";

/**
 * Each code's HTTP status, as Connect answers a unary call with it: the one
 * table every HTTP route answers a failure from. It imports nothing of
 * Connect, so that the web's dialects and a fetch handler need none of it.
 */
export const httpStatuses: Record<Code, number> = {
  canceled: 499,
  deadline_exceeded: 504,
  invalid_argument: 400,
  not_found: 404,
  out_of_range: 400,
  permission_denied: 403,
  resource_exhausted: 429,
  unauthenticated: 401,
  unavailable: 503,
  internal: 500,
};
