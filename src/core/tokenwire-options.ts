import type { Limiter } from "./admission.ts";
import type { RequestLimits } from "./generation-request.ts";
import type { Logger } from "./logger.ts";
import type { ModelList, ModelResolver } from "./model-resolver.ts";
import type { StopOptions } from "./stream-control.ts";
import type { StreamLog } from "./stream-log.ts";
import type { StreamSummary } from "./run-stream.ts";

/** Options shared by every adapter: what to run, the limits, the auth hook, the logger. */
export interface TokenwireOptions {
  /** Which runnable serves a request. */
  resolve: ModelResolver;
  /** The models `ListModels` reports; default the resolver's own `models`. */
  models?: ModelList;
  limits?: RequestLimits & {
    /** Streams open at once (generations, and readers that resume) before new ones get `resource_exhausted`; default 1,024. */
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
  /** Holds each caller that `authenticate` names to its limits; asked once per stream, after the caller is known. */
  limiter?: Limiter;
  /** Where resumable streams live; default an in-memory log. */
  streams?: ResumableOptions;
  logger?: Logger;
  /** Told of every stream's life, for metrics and tracing. */
  observers?: StreamObserver[];
  /**
   * Milliseconds within which a stream's text deltas merge before they are
   * written (a change of part, and the end, write at once): fewer messages and
   * writes per token, for up to this much delay. Default 0, off.
   */
  coalesceMs?: number;
  /** Ends every stream when aborted, with the abort reason if it is a TokenwireError; `drain()` is the graceful way. */
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
  /**
   * Names a resumable stream, as a chat's id names its answer; default a new
   * UUID. The caller's own stream under that id is replaced: one that ended at
   * once, one still generating once it has been stopped.
   */
  streamId?: string;
  /**
   * JSON that a resumable stream's log keeps on its started event, for
   * whoever reads the stream back: what the call asked, which the log's
   * events alone do not say.
   */
  note?: unknown;
  /** This call's coalescing window (see {@link TokenwireOptions.coalesceMs}); unset for the server's. */
  coalesceMs?: number;
  /** For `resumeStream`: a stream that has ended reads as `not_found`, for clients that only resume answers in flight. */
  onlyLive?: boolean;
}

/**
 * What a stream is: `generation` runs a model, whether or not anyone reads it
 * (a resumable stream's first reader is part of its generation's call);
 * `read` resumes a resumable stream from its log; `run_events` streams
 * LangChain's run events.
 */
export type StreamKind = "generation" | "read" | "run_events";

/** What an observer learns when a stream opens. */
export interface ObservedStream {
  context: CallContext;
  kind: StreamKind;
}

/** How a stream ended, for an observer. A stop request shows as a generation that ended with the reason `stopped`. */
export interface StreamOutcome {
  /** A read's summary has no usage: its generation reports it. */
  summary: StreamSummary;
  /** The model that served it; empty when it was refused before one was chosen. */
  model: string;
  /** The caller the authenticate hook named, if any. */
  caller: string | undefined;
}

/** Called when a stream opens; what it returns follows that stream. */
export type StreamObserver = (stream: ObservedStream) => StreamObservation | void;

/** One observer's view of one stream. */
export interface StreamObservation {
  /** Runs the stream's start: a context made current here (a trace span) follows the model call. */
  run?(start: () => void): void;
  /** Called once, when the stream has ended however it ended. */
  end?(outcome: StreamOutcome): void;
}
