import { readFileSync } from "node:fs";

/**
 * How long a connection may take and stay, and how many may be open, on
 * {@link createOnePortServer}. Times are in milliseconds; 0 turns a limit off.
 * None of them ends a request or stream in flight.
 */
export interface ConnectionLimits {
  /**
   * Time a connection has to send a request's headers: from its first byte,
   * the HTTP/2 preface or the TLS handshake, and each HTTP/1.1 request's
   * headers (then 408). Default 60,000, Node's `headersTimeout` and nginx's `client_header_timeout`.
   */
  headersTimeoutMs?: number;
  /**
   * Time a request has to arrive whole, headers and body: an HTTP/1.1 request
   * gets 408 past it, an HTTP/2 stream is reset (CANCEL). Once it has arrived,
   * its response may take as long as it streams. Default 300,000, Node's `requestTimeout`.
   */
  requestTimeoutMs?: number;
  /**
   * Time a connection with no request or stream in flight stays open: an
   * HTTP/1.1 keep-alive connection is closed, an HTTP/2 one gets a GOAWAY.
   * Default 75,000, nginx's `keepalive_timeout`: longer than the 60 s after
   * which common load balancers drop an idle connection, so that the server is not the side that closes one they are about to reuse.
   */
  idleTimeoutMs?: number;
  /**
   * Open connections at most. A connection beyond it closes the oldest idle
   * one, or is refused when every connection has a request or stream in
   * flight. Default {@link defaultMaxConnections}.
   */
  maxConnections?: number;
}

/** The limits with every default filled in. */
export type ResolvedConnectionLimits = Required<ConnectionLimits>;

/** The default time limits of {@link ConnectionLimits}, in milliseconds. */
export const defaultTimeLimits = { headersTimeoutMs: 60_000, requestTimeoutMs: 300_000, idleTimeoutMs: 75_000 } as const;

/** Fills in the defaults of {@link ConnectionLimits}. */
export function resolveConnectionLimits(limits: ConnectionLimits): ResolvedConnectionLimits {
  return {
    headersTimeoutMs: limits.headersTimeoutMs ?? defaultTimeLimits.headersTimeoutMs,
    requestTimeoutMs: limits.requestTimeoutMs ?? defaultTimeLimits.requestTimeoutMs,
    idleTimeoutMs: limits.idleTimeoutMs ?? defaultTimeLimits.idleTimeoutMs,
    maxConnections: limits.maxConnections ?? defaultMaxConnections(),
  };
}

/**
 * Half the process's open-file limit, at most 10,000: each stream may hold a
 * client connection and an upstream one, so clients may not take the file
 * descriptors that the upstream connections, the log and TLS files need.
 */
export function defaultMaxConnections(): number {
  return Math.max(1, Math.min(10_000, Math.floor((openFileLimit() ?? Infinity) / 2)));
}

// Node raises its soft limit to the hard one as it starts (PlatformInit in https://github.com/nodejs/node/blob/v24.x/src/node.cc),
// so the soft limit read here is what the process has. Linux only; elsewhere the cap alone applies.
function openFileLimit(): number | undefined {
  try {
    const soft = /^Max open files\s+(\d+)/m.exec(readFileSync("/proc/self/limits", "utf8"))?.[1];
    return soft === undefined ? undefined : Number(soft);
  } catch {
    return undefined;
  }
}
