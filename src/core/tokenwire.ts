import { createIteratorSink, nextTurn, type IteratorSink } from "./iterator-sink.ts";
import { validateRequest, type GenerationRequest, type RequestLimits } from "./generation-request.ts";
import { silentLogger, type Logger } from "./logger.ts";
import type { ModelResolver, ResolvedRun } from "./model-resolver.ts";
import { produceTokens, type StreamSummary } from "./producer.ts";
import { produceRunEvents } from "./run-event-producer.ts";
import { linkSignals, type StopOptions } from "./stream-signal.ts";
import type { RunEvent, TokenEvent } from "./token-event.ts";
import { TokenwireError } from "./tokenwire-error.ts";

/** Options shared by every adapter: what to run, the limits, the auth hook, the logger. */
export interface TokenwireOptions {
  /** Which runnable serves a request. */
  resolve: ModelResolver;
  limits?: RequestLimits & {
    /** Streams open at once before new ones get `resource_exhausted`; default 1,024. */
    maxConcurrentStreams?: number;
    /** Characters of unsent text per stream before the model is held back; default 64 Ki. */
    highWaterMark?: number;
  };
  /** Called with the request headers before a stream starts; throw a TokenwireError to refuse. */
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
  /** Streams started, deltas and finished; a failure throws a TokenwireError from the loop. */
  streamTokens(request: GenerationRequest, context?: CallContext): AsyncIterable<TokenEvent>;
  /** Streams LangChain's run events for the same request. */
  streamRunEvents(request: GenerationRequest, context?: CallContext): AsyncIterable<RunEvent>;
  /** Streams open now. */
  readonly openStreams: number;
}

/** What a producer reports for the log line: at least how it ended. */
type Outcome = Partial<StreamSummary> & { error?: TokenwireError | undefined };

/** One stream's work, from admission to the log line. */
interface Job<E> {
  request: GenerationRequest;
  context: CallContext;
  sink: IteratorSink<E>;
  produce: (run: ResolvedRun) => Promise<Outcome>;
}

/** Creates the transport-free service that adapters put on a wire. */
export function createTokenwire(options: TokenwireOptions): Tokenwire {
  const logger = options.logger ?? silentLogger;
  const maxStreams = options.limits?.maxConcurrentStreams ?? 1024;
  let openStreams = 0;
  const startSoon = createStartQueue();

  async function admit(request: GenerationRequest, context: CallContext) {
    // This stream is already counted in openStreams.
    if (openStreams > maxStreams) throw new TokenwireError("resource_exhausted", `the server is at its limit of ${maxStreams} streams`);
    await options.authenticate?.(context.headers ?? new Headers());
    validateRequest(request, options.limits);
    return options.resolve(request);
  }

  type Produce<E> = (sink: IteratorSink<E>, run: ResolvedRun, signal: AbortSignal) => Promise<Outcome>;

  function stream<E extends { type?: string; text?: string }>(request: GenerationRequest, context: CallContext, produce: Produce<E>): AsyncIterable<E> {
    return {
      [Symbol.asyncIterator]() {
        // Aborted by the reader's return, the caller's signal or the server's. A plain controller that follows them
        // rather than AbortSignal.any, whose composite keeps weak references to its sources and to itself.
        const controller = new AbortController();
        const link = linkSignals(controller, [context.signal, options.signal]);
        const sink = createIteratorSink<E>({ highWaterMark: options.limits?.highWaterMark, onReturn: () => controller.abort() });
        openStreams++;
        // Released when the producer ends, which an aborted signal ensures even if the reader never resumes.
        const done = (): void => {
          link.dispose();
          openStreams--;
        };
        startSoon(() => void run({ request, context, sink, produce: (run) => produce(sink, run, controller.signal) }).finally(done));
        return sink[Symbol.asyncIterator]();
      },
    };
  }

  async function run<E>({ request, context, sink, produce }: Job<E>) {
    const started = performance.now();
    let model = request.model ?? "";
    let outcome: Outcome;
    try {
      const resolved = await admit(request, context);
      model = resolved.model;
      outcome = await produce(resolved);
    } catch (reason) {
      outcome = { error: TokenwireError.from(reason) };
      sink.close(outcome.error);
    }
    const { error, ...fields } = outcome;
    // Every line has the same fields: a stream refused before it started sent no tokens.
    const line = { protocol: context.protocol, method: context.method, model, tokens: 0, durationMs: performance.now() - started, ...fields, status: error?.code ?? "ok" };
    if (!error || error.code === "canceled") logger.info(line, "stream ended");
    else logger.warn({ ...line, message: error.message, cause: describeCause(error.cause) }, "stream failed");
  }

  return {
    get openStreams() {
      return openStreams;
    },
    streamTokens(request, context = {}) {
      return stream<TokenEvent>(request, context, (sink, run, signal) => produceTokens(sink, { ...run, signal, timeoutMs: context.timeoutMs }));
    },
    streamRunEvents(request, context = {}) {
      return stream<RunEvent>(request, context, async (sink, run, signal) => ({
        error: await produceRunEvents(sink, { ...run, signal, timeoutMs: context.timeoutMs }),
      }));
    },
  };
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
