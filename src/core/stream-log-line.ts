import { causeChain } from "./error-causes.ts";
import { escapeLogFields, type Logger } from "./logger.ts";
import type { StreamSummary } from "./run-stream.ts";
import type { CallContext, StreamKind } from "./tokenwire-options.ts";

/** What one stream's log line says. @internal */
export interface LogLineFields {
  context: CallContext;
  kind: StreamKind;
  model: string;
  caller: string | undefined;
  summary: StreamSummary;
}

/**
 * Writes one log line per stream, with the same fields whether it was
 * refused, failed or finished; a client that went away is not a failure.
 * @internal
 */
export function logStreamEnd(logger: Logger, { context, kind, model, caller, summary }: LogLineFields): void {
  const { error, ...fields } = summary;
  const line = { kind, protocol: context.protocol, method: context.method, model, caller, ...fields, status: error?.code ?? "ok" };
  // The model, the caller's name and the message may hold what a caller sent.
  if (!error || error.code === "canceled") logger.info(escapeLogFields(line), "stream ended");
  else logger.warn(escapeLogFields({ ...line, reason: error.reason, message: error.message, cause: describeCause(error.cause) }), "stream failed");
}

// Logs say what failed without leaking what an upstream's message may hold (keys, URLs with credentials): the
// class, the HTTP status, and the socket's own fields (`ECONNREFUSED` at an address and port), which hold none.
function describeCause(cause: unknown) {
  if (!(cause instanceof Error)) return undefined;
  return { name: cause.name, status: (cause as { status?: unknown }).status, ...socketFailureIn(cause) };
}

function socketFailureIn(cause: Error) {
  const socket = causeChain(cause).find((link) => /^E[A-Z]+$/.test(String((link as { code?: unknown }).code)));
  if (!socket) return undefined;
  const { code, syscall, address, port, hostname } = socket as Record<string, unknown>;
  return { code, syscall, address, port, hostname };
}
