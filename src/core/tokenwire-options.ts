import type { RequestLimits } from "./generation-request.ts";
import type { Logger } from "./logger.ts";
import type { ModelList, ModelResolver } from "./model-resolver.ts";
import type { StopOptions } from "./stream-control.ts";
import type { StreamLog } from "./stream-log.ts";

/** Options shared by every adapter: what to run, the limits, the auth hook, the logger. */
export interface TokenwireOptions {
  /** Which runnable serves a request. */
  resolve: ModelResolver;
  /** The models `ListModels` reports; default the resolver's own `models`. */
  models?: ModelList;
  limits?: RequestLimits & {
    /** Streams open at once (generations and readers) before new ones get `resource_exhausted`; default 1,024. */
    maxConcurrentStreams?: number;
    /** Characters of unsent text per stream before the model is held back; default 64 Ki. */
    highWaterMark?: number;
    /** Milliseconds a model may send nothing, when no reader holds it back, before its stream ends `unavailable`; default 300,000. */
    upstreamIdleMs?: number;
  };
  /**
   * Called with the request headers before a stream starts; may return the
   * caller's name, which owns the resumable streams it starts. Throw a
   * TokenwireError to refuse with its code; anything else refuses as `unauthenticated`.
   */
  authenticate?: (headers: Headers) => void | string | Promise<void | string>;
  /** Where resumable streams live; default an in-memory log. */
  streams?: ResumableOptions;
  logger?: Logger;
  /** Ends every stream when aborted, with the abort reason if it is a TokenwireError (a server shutting down). */
  signal?: AbortSignal;
}

/** How resumable streams are kept. */
export interface ResumableOptions {
  /** The log; default {@link createMemoryStreamLog}, one process only. */
  log?: StreamLog;
  /** Milliseconds a resumable stream goes on with no reader before its model call is closed; default 30,000. */
  graceMs?: number;
  /** Makes every StreamTokens call resumable, whatever it asks. */
  always?: boolean;
}

/** Where a stream comes from, for the auth hook and the log line. */
export interface CallContext extends StopOptions {
  headers?: Headers;
  /** The wire protocol, as the adapter names it (`grpc`, `connect`, `grpc-web`, `in-process`). */
  protocol?: string;
  /** The RPC or route, as the adapter names it. */
  method?: string;
  /** Asks for a resumable stream: kept in the stream log, resumable, joinable and stoppable by its id. */
  resumable?: boolean;
}
