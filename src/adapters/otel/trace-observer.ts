import { context, propagation, ROOT_CONTEXT, SpanKind, SpanStatusCode, trace, type Attributes, type Span, type TextMapGetter, type Tracer } from "@opentelemetry/api";
import type { CallContext, StreamObserver, StreamOutcome } from "../../core/tokenwire.ts";

/** Options of {@link traceObserver}. */
export interface TraceObserverOptions {
  /** The tracer spans come from; default the global provider's `tokenwire` tracer, looked up per stream so that an SDK started later is used. */
  tracer?: Tracer;
}

// Headers are case-insensitive and hold gRPC metadata and HTTP headers alike.
const headersGetter: TextMapGetter<Headers> = {
  keys: (headers) => {
    const names: string[] = [];
    headers.forEach((_, name) => names.push(name));
    return names;
  },
  get: (headers, key) => headers.get(key) ?? undefined,
};

/**
 * A stream observer that gives every stream one OpenTelemetry server span,
 * a child of the caller's trace when the request carries one (`traceparent`
 * in gRPC metadata or an HTTP header), and current while the model is called,
 * so that the model's own request carries the trace on. The span ends with
 * the model, protocol, caller, tokens, time to first token, usage, finish
 * reason and status.
 * It uses the OpenTelemetry API alone: with no SDK registered, it costs a
 * no-op span.
 */
export function traceObserver(options: TraceObserverOptions = {}): StreamObserver {
  return ({ context: call, kind }) => {
    const tracer = options.tracer ?? trace.getTracer("tokenwire");
    const parent = call.headers ? propagation.extract(ROOT_CONTEXT, call.headers, headersGetter) : ROOT_CONTEXT;
    const span = tracer.startSpan(call.method ?? `tokenwire ${kind}`, { kind: SpanKind.SERVER, attributes: openingAttributes(call, kind) }, parent);
    const current = trace.setSpan(parent, span);
    return {
      run: (start) => context.with(current, start),
      end: (outcome) => endSpan(span, outcome),
    };
  };
}

function openingAttributes(call: CallContext, kind: string): Attributes {
  return { "tokenwire.stream.kind": kind, "tokenwire.protocol": call.protocol, "tokenwire.method": call.method };
}

// The gen_ai.* names are OpenTelemetry's semantic conventions for model calls; the rest are tokenwire's own.
function endSpan(span: Span, { summary, model, caller }: StreamOutcome): void {
  const { error, usage } = summary;
  span.setAttributes({
    "gen_ai.request.model": model || undefined,
    "gen_ai.usage.input_tokens": usage?.inputTokens,
    "gen_ai.usage.output_tokens": usage?.outputTokens,
    "gen_ai.response.finish_reasons": summary.finishReason === undefined ? undefined : [summary.finishReason],
    "tokenwire.caller": caller,
    "tokenwire.run_id": summary.runId,
    "tokenwire.tokens": summary.tokens,
    "tokenwire.time_to_first_token_ms": summary.timeToFirstTokenMs,
    "tokenwire.duration_ms": summary.durationMs,
    "tokenwire.status": error?.code ?? "ok",
  });
  // A caller that leaves is no fault of the server's: the status says canceled, the span stays unset.
  if (error && error.code !== "canceled") {
    span.setAttribute("error.type", error.code);
    span.setStatus({ code: SpanStatusCode.ERROR, message: error.message });
  }
  span.end();
}
