import { causeChain } from "../core/error-causes.ts";
import { context, propagation } from "@opentelemetry/api";
import { errors } from "../core/errors.ts";
import type { Logger } from "../core/logger.ts";

/** Options of {@link upstreamFetch}. */
export interface UpstreamFetchOptions {
  /** The provider's name, for the log line of an unreachable server. */
  provider: string;
  /** Where an unreachable model server is logged, with its cause; default nowhere. */
  logger?: Logger;
}

/**
 * The `fetch` a model client (OpenAI's, Anthropic's) calls the model server
 * with. It carries the current trace on (`traceparent`, through the
 * OpenTelemetry API: nothing is added while no SDK is registered), logs a
 * server it cannot reach with the cause and the host but never the
 * credentials, and refuses a 200 to a streaming request whose body is not an
 * event stream: the client would read an HTML page (a wrong base URL) or a
 * plain JSON completion as a reply with no chunk, and the stream would end as
 * an empty success.
 */
export function upstreamFetch(options: UpstreamFetchOptions): typeof fetch {
  return async (input, init) => {
    const traced = withTraceContext(input, init);
    let response: Response;
    try {
      response = await fetch(input, traced);
    } catch (reason) {
      if (!init?.signal?.aborted) logUnreachable(options, { url: urlOf(input), reason });
      throw reason;
    }
    const type = response.headers.get("content-type") ?? "";
    if (!response.ok || type.includes("text/event-stream") || !isStreamingRequest(init)) return response;
    await response.body?.cancel();
    throw errors.upstreamNotStream(type.split(";")[0]!);
  };
}

// The propagator writes into a plain object first, so that with no SDK (a no-op propagator) no headers are copied.
function withTraceContext(input: string | URL | Request, init: RequestInit | undefined): RequestInit | undefined {
  const carrier: Record<string, string> = {};
  propagation.inject(context.active(), carrier);
  const names = Object.keys(carrier);
  if (names.length === 0) return init;
  const headers = new Headers(init?.headers ?? (input instanceof Request ? input.headers : undefined));
  for (const name of names) headers.set(name, carrier[name]!);
  return { ...init, headers };
}

function isStreamingRequest(init: RequestInit | undefined): boolean {
  return typeof init?.body === "string" && /"stream":\s*true/.test(init.body);
}

function urlOf(input: string | URL | Request): URL | undefined {
  const href = input instanceof Request ? input.url : String(input);
  return URL.canParse(href) ? new URL(href) : undefined;
}

// `fetch failed` says nothing by itself: the socket's code is down its cause chain (an AggregateError when a name
// resolves to several addresses). The URL's host is logged, never its user:password, query or the request's headers.
function logUnreachable(options: UpstreamFetchOptions, { url, reason }: { url: URL | undefined; reason: unknown }): void {
  const code = socketCode(reason) ?? (reason instanceof Error ? reason.name : "unknown");
  const at = url?.host ?? "the model server";
  const upstream = url ? `${url.protocol}//${url.host}${url.pathname}` : undefined;
  options.logger?.warn({ provider: options.provider, upstream, cause: { code, host: url?.host } }, `model server unreachable: ${code} at ${at}`);
}

function socketCode(reason: unknown): string | undefined {
  const code = causeChain(reason)
    .map((link) => (link as { code?: unknown }).code)
    .find((value) => typeof value === "string");
  return code as string | undefined;
}
