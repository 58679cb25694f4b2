import type { GenerationRequest } from "./generation-request.ts";
import type { EventStreamingRunnable } from "./run-event-producer.ts";
import type { StreamingRunnable } from "./producer.ts";

/** A runnable ready to stream one request, with its input. */
export interface ResolvedRun {
  /** The model's name as reported to the caller. */
  model: string;
  runnable: StreamingRunnable<unknown> & EventStreamingRunnable<unknown>;
  input: unknown;
}

/**
 * Turns a request into a runnable and its input; throws a `not_found`
 * TokenwireError for a model the server does not offer.
 */
export type ModelResolver = (request: GenerationRequest) => ResolvedRun | Promise<ResolvedRun>;
