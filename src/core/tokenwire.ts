import { collectAnswer, type Answer } from "./answer.ts";
import { errors } from "./errors.ts";
import { validateRequest, type GenerationRequest, type RequestLimits } from "./generation-request.ts";
import { nextTurn } from "./iterator-sink.ts";
import { silentLogger, type Logger } from "./logger.ts";
import type { ModelList, ModelResolver, ResolvedRun } from "./model-resolver.ts";
import { openStream } from "./open-stream.ts";
import type { StreamSummary } from "./run-stream.ts";
import { runEventSource } from "./sources/run-event-source.ts";
import { createStreamControl, type StopOptions } from "./stream-control.ts";
import { runStream, type EventSource, type StreamedEvent } from "./run-stream.ts";
import { tokenSourceOf } from "./token-stream.ts";
import type { RunEvent, TokenEvent } from "./token-event.ts";
import type { TokenSink } from "./token-sink.ts";
import { TokenwireError } from "./tokenwire-error.ts";

/** Options shared by every adapter: what to run, the limits, the auth hook, the logger. */
export interface TokenwireOptions {
  /** Which runnable serves a request. */
  resolve: ModelResolver;
  /** The models `ListModels` reports; default the resolver's own `models`. */
  models?: ModelList;
  limits?: RequestLimits & {
    /** Streams open at once before new ones get `resource_exhausted`; default 1,024. */
    maxConcurrentStreams?: number;
    /** Characters of unsent text per stream before the model is held back; default 64 Ki. */
    highWaterMark?: number;
  };
  /**
   * Called with the request headers before a stream starts. Throw a
   * TokenwireError to refuse with its code; anything else refuses as `unauthenticated`.
   */
  authenticate?: (headers: Headers) => void | Promise<void>;
  logger?: Logger;
  /** Ends every stream when aborted, with the abort reason if it is a TokenwireError (a server shutting down). */
  signal?: AbortSignal;
}

/** Where a stream comes from, for the auth hook and the log line. */
export interface CallContext extends StopOptions {
  headers?: Headers;
  /** The wire protocol, as the adapter names it (`grpc`, `connect`, `grpc-web`, `in-process`). */
  protocol?: string;
  /** The RPC or route, as the adapter names it. */
  method?: string;
}

/** The streaming service every adapter serves: requests in, event streams out. */
export interface Tokenwire {
  /** Streams started, the parts, and finished; a failure throws a TokenwireError from the loop. */
  streamTokens(request: GenerationRequest, context?: CallContext): AsyncIterable<TokenEvent>;
  /** Streams into a push-style transport's sink; resolves once the sink is closed. */
  pipeTokens(request: GenerationRequest, sink: TokenSink<TokenEvent>, context?: CallContext): Promise<StreamSummary>;
  /** Generates the whole answer; a failure is thrown. */
  generate(request: GenerationRequest, context?: CallContext): Promise<Answer>;
  /** Streams LangChain's run events for the same request. */
  streamRunEvents(request: GenerationRequest, context?: CallContext): AsyncIterable<RunEvent>;
  /** The models this service offers. */
  readonly models: ModelList;
  /** Streams open now. */
  readonly openStreams: number;
}

/** Creates the transport-free service that adapters put on a wire. */
export function createTokenwire(options: TokenwireOptions): Tokenwire {
  const logger = options.logger ?? silentLogger;
  const maxStreams = options.limits?.maxConcurrentStreams ?? 1024;
  const models = options.models ?? options.resolve.models ?? { models: [], defaultModel: "", acceptsAnyModel: true };
  const startSoon = createStartQueue();
  let openStreams = 0;

  async function admit(request: GenerationRequest, context: CallContext): Promise<ResolvedRun> {
    // This stream is already counted in openStreams.
    if (openStreams > maxStreams) throw errors.tooManyStreams(maxStreams);
    try {
      await options.authenticate?.(context.headers ?? new Headers());
    } catch (reason) {
      throw reason instanceof TokenwireError ? reason : errors.refusedByAuthenticate(reason);
    }
    validateRequest(request, options.limits);
    try {
      return await options.resolve(request);
    } catch (reason) {
      throw TokenwireError.from(reason);
    }
  }

  // A service stream: admitted inside the stream, so a refusal ends it like any failure; counted while open.
  function serviceStream<E extends StreamedEvent>(request: GenerationRequest, context: CallContext, sourceOf: (run: ResolvedRun) => EventSource<E>) {
    let model = request.model ?? "";
    openStreams++;
    const source: EventSource<E> = async (signal) => {
      const run = await admit(request, context);
      model = run.model;
      return sourceOf(run)(signal);
    };
    const onEnd = (summary: StreamSummary): void => {
      openStreams--;
      logEnd(logger, { context, model: () => model, summary });
    };
    return { source, onEnd, signals: [context.signal, options.signal], timeoutMs: context.timeoutMs };
  }

  const tokenSource = (run: ResolvedRun) => tokenSourceOf(run.runnable, run.input, { model: run.model });
  const open = <E extends StreamedEvent>(stream: ReturnType<typeof serviceStream<E>>): AsyncIterable<E> =>
    openStream(stream.source, { ...stream, highWaterMark: options.limits?.highWaterMark, schedule: startSoon });

  return {
    get openStreams() {
      return openStreams;
    },
    models,
    streamTokens(request, context = {}) {
      return open(serviceStream(request, context, tokenSource));
    },
    pipeTokens(request, sink, context = {}) {
      const stream = serviceStream(request, context, tokenSource);
      return runStream(sink, stream.source, createStreamControl(stream)).then((summary) => (stream.onEnd(summary), summary));
    },
    generate(request, context = {}) {
      return collectAnswer(this.streamTokens(request, context));
    },
    streamRunEvents(request, context = {}) {
      return open(serviceStream(request, context, (run) => (signal) => runEventSource({ ...run, runId: crypto.randomUUID(), signal })));
    },
  };
}

// One log line per stream, with the same fields whether it was refused, failed or finished.
function logEnd(logger: Logger, { context, model, summary }: { context: CallContext; model: () => string; summary: StreamSummary }): void {
  const { error, ...fields } = summary;
  const line = { protocol: context.protocol, method: context.method, model: model(), ...fields, status: error?.code ?? "ok" };
  if (!error || error.code === "canceled") logger.info(line, "stream ended");
  else logger.warn({ ...line, message: error.message, cause: describeCause(error.cause) }, "stream failed");
}

// Starts queued streams one per turn of the event loop. Starting a stream costs about 2 ms of CPU before its
// first upstream I/O (a model, a client, a request), and an HTTP/2 session hands over every stream in one socket
// read at once: 100 or more when the server is busy, which held every open stream's tokens for 300 ms at a time.
// One start per turn lets the tokens read in between go out first (BENCHMARKS.md).
function createStartQueue() {
  const pending: (() => void)[] = [];
  const startNext = (): void => {
    pending.shift()!();
    if (pending.length > 0) nextTurn(startNext);
  };
  return (start: () => void): void => {
    if (pending.push(start) === 1) nextTurn(startNext);
  };
}

// Logs say what failed without leaking what an upstream's message may hold (keys, URLs with credentials).
function describeCause(cause: unknown) {
  if (!(cause instanceof Error)) return undefined;
  return { name: cause.name, status: (cause as { status?: unknown }).status };
}
