import type { GenerationRequest } from "./generation-request.ts";
import type { EventStreamingRunnable } from "./sources/run-event-source.ts";
import type { StreamingRunnable } from "./sources/token-source.ts";

/** A runnable ready to stream one request, with its input. */
export interface ResolvedRun {
  /** The model's name as reported to the caller. */
  model: string;
  runnable: StreamingRunnable & EventStreamingRunnable;
  input: unknown;
  /**
   * True when the request's tools and tool choice were bound to the runnable.
   * A request with tools whose run does not say so is refused, so that a
   * resolver that ignores them never answers as if none had been offered.
   */
  toolsBound?: boolean;
}

/** The models a server offers, as `ListModels` reports them. */
export interface ModelList {
  /** The names a caller may ask for. */
  models: string[];
  /** The model a request that names none gets. */
  defaultModel: string;
  /** True when any name passes through to the upstream; `models` then lists the known ones. */
  acceptsAnyModel: boolean;
}

/**
 * Turns a request into a runnable and its input; throws a `not_found`
 * TokenwireError for a model the server does not offer. A resolver may say
 * which models it offers with a `models` property.
 */
export type ModelResolver = ((request: GenerationRequest) => ResolvedRun | Promise<ResolvedRun>) & { models?: ModelList };
