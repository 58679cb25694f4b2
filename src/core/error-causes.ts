/**
 * An error and its causes, outermost first, down to `depth` links: `cause`,
 * or an AggregateError's first error (a name that resolves to several
 * addresses fails with one per address). Bounded, as a cause chain may loop.
 */
export function causeChain(reason: unknown, depth = 5): unknown[] {
  const chain: unknown[] = [];
  for (let link = reason; link !== undefined && link !== null && chain.length < depth; ) {
    chain.push(link);
    const { cause, errors } = link as { cause?: unknown; errors?: unknown };
    link = cause ?? (Array.isArray(errors) ? (errors[0] as unknown) : undefined);
  }
  return chain;
}

// The codes of a socket that failed or never opened, Node's and undici's (`UND_ERR_SOCKET`, …).
const connectionCodes = /^(ECONNRESET|ECONNREFUSED|ECONNABORTED|EPIPE|ETIMEDOUT|ENOTFOUND|EAI_AGAIN|EHOSTUNREACH|ENETUNREACH|UND_ERR_\w+)$/;

/** The socket's code of a connection that failed, from anywhere down the cause chain; undefined for any other failure. */
export function connectionFailureCode(reason: unknown): string | undefined {
  for (const link of causeChain(reason)) {
    const code = (link as { code?: unknown }).code;
    if (typeof code === "string" && connectionCodes.test(code)) return code;
  }
  return undefined;
}

/**
 * True when a failure is a connection's, not an answer's: a socket code down
 * the chain, the OpenAI client's `APIConnectionError`, or undici's
 * `TypeError: terminated` / `fetch failed` for a body cut short or a request never sent.
 */
export function isConnectionFailure(reason: unknown): boolean {
  if (connectionFailureCode(reason) !== undefined) return true;
  return causeChain(reason).some(
    (link) => link instanceof Error && (link.constructor.name === "APIConnectionError" || (link.name === "TypeError" && /terminated|fetch failed/.test(link.message))),
  );
}

/** The HTTP status (400 to 599) an upstream answered with, from the first `depth` links of the cause chain. */
export function httpStatusOf(reason: unknown, depth = 5): number | undefined {
  for (const link of causeChain(reason, depth)) {
    const status = (link as { status?: unknown }).status;
    if (typeof status === "number" && status >= 400 && status < 600) return status;
  }
  return undefined;
}
