// OpenTelemetry tracing for tokenwire's streams, on the OpenTelemetry API alone: the application sets up the SDK.
export { traceObserver, type TraceObserverOptions } from "./trace-observer.ts";
