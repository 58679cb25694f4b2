import { createAdmission, type AdmittedGeneration } from "./admission.ts";
import { coalescingSink } from "./coalescing-sink.ts";
import { collectAnswer, type Answer } from "./answer.ts";
import { callerScopedLog } from "./caller-scoped-log.ts";
import type { GenerationRequest } from "./generation-request.ts";
import { copiesOf, logSink } from "./log-sink.ts";
import { silentLogger } from "./logger.ts";
import { createMemoryStreamLog } from "./memory-stream-log.ts";
import type { ModelList, ResolvedRun } from "./model-resolver.ts";
import { createNamedStream, deleteNamedStream } from "./named-stream.ts";
import { pullStream } from "./open-stream.ts";
import { runStream, type EventSource, type StreamSummary, type StreamedEvent } from "./run-stream.ts";
import { runEventSource } from "./sources/run-event-source.ts";
import { createStartQueue } from "./start-queue.ts";
import { createStreamControl, type StreamControl } from "./stream-control.ts";
import type { StreamLogWriter } from "./stream-log.ts";
import { createStreamTracker, refusedSummary, type TrackedStream } from "./stream-tracker.ts";
import { tokenSourceOf } from "./token-stream.ts";
import type { RunEvent, TokenEvent, Usage } from "./token-event.ts";
import type { TokenSink } from "./token-sink.ts";
import type { CallContext, TokenwireOptions } from "./tokenwire-options.ts";
import { errors } from "./errors.ts";
import { TokenwireError } from "./tokenwire-error.ts";

export type {
  CallContext,
  ObservedStream,
  ResumableOptions,
  StreamKind,
  StreamObservation,
  StreamObserver,
  StreamOutcome,
  TokenwireOptions,
} from "./tokenwire-options.ts";
export type { Lease, LimitClaim, Limiter } from "./admission.ts";

/**
 * The streaming service every adapter serves: requests in, event streams out.
 * Each stream comes in one of two styles: pulled with `for await`, or pushed
 * into a wire's own {@link TokenSink} (the `pipe…` methods), which resolve with
 * the stream's summary once the sink is closed.
 */
export interface Tokenwire {
  /** Streams started, the parts, and finished; a failure throws a TokenwireError from the loop. */
  streamTokens(request: GenerationRequest, context?: CallContext): AsyncIterable<TokenEvent>;
  /** {@link streamTokens} into a sink. */
  pipeTokens(request: GenerationRequest, sink: TokenSink<TokenEvent>, context?: CallContext): Promise<StreamSummary>;
  /** A resumable stream's events after `afterSeq`, then live to its end. */
  resumeStream(streamId: string, afterSeq: number, context?: CallContext): AsyncIterable<TokenEvent>;
  /** {@link resumeStream} into a sink. */
  pipeResume(resume: { streamId: string; afterSeq: number }, sink: TokenSink<TokenEvent>, context?: CallContext): Promise<StreamSummary>;
  /** Stops a resumable stream's generation; true when it was still generating. */
  stopStream(streamId: string, context?: CallContext): Promise<boolean>;
  /** Deletes a resumable stream at once, its id then unknown; one still generating is stopped and its end waited for first. */
  deleteStream(streamId: string, context?: CallContext): Promise<void>;
  /** Generates the whole answer; a failure is thrown. */
  generate(request: GenerationRequest, context?: CallContext): Promise<Answer>;
  /** Streams LangChain's run events for the same request. */
  streamRunEvents(request: GenerationRequest, context?: CallContext): AsyncIterable<RunEvent>;
  /** {@link streamRunEvents} into a sink. */
  pipeRunEvents(request: GenerationRequest, sink: TokenSink<RunEvent>, context?: CallContext): Promise<StreamSummary>;
  /**
   * The one switch of a shutdown: from now on every new stream, on every wire,
   * is refused with `unavailable`; the streams in flight go on for `graceMs`
   * (default: until they end), then end `unavailable`. Resolves once every
   * stream has ended; calling it again joins the first call.
   */
  drain(graceMs?: number): Promise<void>;
  /** The models this service offers. */
  readonly models: ModelList;
  /** Streams open now: generations, resuming readers and run-events streams. */
  readonly openStreams: number;
}

/** Where one call's stream goes: its sink, its context, and its control. */
interface Call<E> {
  sink: TokenSink<E>;
  context: CallContext;
  control: StreamControl;
}

/** How one stream runs: its control, where its sequence starts, how long its source may be silent. */
interface Delivery {
  control: StreamControl;
  /** The call whose coalescing window applies; unset for a reader of the log, whose generation coalesced already. */
  context?: CallContext;
  firstSeq?: number;
  idleMs?: number;
  /** The observers' wrapping of its start, for a tracked stream. */
  within?: (start: () => void) => void;
}

/** Creates the transport-free service that adapters put on a wire. */
export function createTokenwire(options: TokenwireOptions): Tokenwire {
  const log = callerScopedLog(options.streams?.log ?? createMemoryStreamLog());
  const graceMs = options.streams?.graceMs ?? 30_000;
  const idleMs = options.limits?.upstreamIdleMs ?? 300_000;
  const admission = createAdmission(options);
  const tracker = createStreamTracker({ logger: options.logger ?? silentLogger, observers: options.observers ?? [] });
  const ended = new AbortController(); // aborted when a drain's grace has passed
  const startSoon = createStartQueue();
  let drained: Promise<void> | undefined;

  const controlOf = (context: CallContext): StreamControl =>
    createStreamControl({ signals: [context.signal, options.signal, ended.signal], timeoutMs: context.timeoutMs });

  // The window within which a stream's text deltas merge before they are written: the call's, else the server's.
  const coalesced = <E extends StreamedEvent>(sink: TokenSink<E>, context: CallContext | undefined): TokenSink<E> => {
    const windowMs = context?.coalesceMs ?? options.coalesceMs ?? 0;
    return windowMs > 0 ? coalescingSink(sink, windowMs) : sink;
  };

  // Streams start one per turn of the event loop (start-queue.ts), inside their observers' runs.
  const deliver = <E extends StreamedEvent>(sink: TokenSink<E>, source: EventSource<E>, how: Delivery): Promise<StreamSummary> =>
    new Promise((resolve) => startSoon(() => (how.within ?? run)(() => void runStream(coalesced(sink, how.context), source, how).then(resolve))));

  // A tracked stream whose source admits it first; what the admission took goes back when the stream ends.
  type Admitted<E> = (signal: AbortSignal) => Promise<[AsyncIterable<E>, (summary: StreamSummary) => void]>;
  function tracked<E extends StreamedEvent>(stream: TrackedStream, { sink, how }: { sink: TokenSink<E>; how: Delivery }, admitted: Admitted<E>) {
    let release: ((summary: StreamSummary) => void) | undefined;
    const source = async (signal: AbortSignal) => {
      const [events, giveBack] = await admitted(signal);
      release = giveBack;
      return events;
    };
    return deliver(sink, source, { ...how, within: stream.within }).then((summary) => {
      release?.(summary);
      stream.end(summary);
      return summary;
    });
  }

  // A plain generation, or a run-events stream: admitted, then the runnable's events, until the reader leaves.
  const generation = <E extends StreamedEvent>(kind: "generation" | "run_events", events: (run: ResolvedRun, signal: AbortSignal) => AsyncIterable<E>) =>
    (request: GenerationRequest, { sink, context, control }: Call<E>) => {
      const stream = tracker.track(context, kind);
      return tracked(stream, { sink, how: { control, context, idleMs } }, async (signal) => {
        const admitted = await admission.generation(request, { context, kind, record: stream.record });
        return [events(admitted.run, signal), admitted.release];
      });
    };
  const plainTokens = generation("generation", (run, signal) => tokenSourceOf(run.runnable, run.input, { model: run.model })(signal));
  const runEvents = generation("run_events", (run, signal) => runEventSource({ ...run, runId: crypto.randomUUID(), signal }));

  // A resumable stream's generation writes into the log, apart from any reader, until it ends, is stopped or is
  // abandoned; its first reader, this call, reads the log from its start and holds nothing of its own.
  function resumableTokens(request: GenerationRequest, { sink, context, control }: Call<TokenEvent>) {
    const stream = tracker.track(context, "generation");
    const source = async (signal: AbortSignal) => {
      let admitted: AdmittedGeneration | undefined;
      try {
        admitted = await admission.generation(request, { context, kind: "generation", record: stream.record });
        const streamId = context.streamId ?? crypto.randomUUID();
        const writer = await createNamedStream(log, streamId, { owner: admitted.caller, graceMs });
        generate({ admitted, stream, writer, streamId, context });
        return copiesOf(log.read(streamId, { afterSeq: -1, caller: admitted.caller, signal }));
      } catch (reason) {
        const summary = refusedSummary(TokenwireError.from(reason));
        admitted?.release(summary);
        stream.end(summary);
        throw reason;
      }
    };
    return deliver(sink, source, { control });
  }

  type Generation = { admitted: AdmittedGeneration; stream: TrackedStream; writer: StreamLogWriter; streamId: string; context: CallContext };
  function generate({ admitted, stream, writer, streamId, context }: Generation): void {
    const control = createStreamControl({ signals: [options.signal, ended.signal, writer.stopped, writer.abandoned] });
    // What the model calls that finished had used: a stop's end reports it, as it knows no more of the call it cut.
    let usageSoFar: Usage | undefined;
    const source = tokenSourceOf(admitted.run.runnable, admitted.run.input, { model: admitted.run.model, onUsage: (usage) => (usageSoFar = usage) });
    const sink = logSink(writer, { streamId, note: context.note, usageSoFar: () => usageSoFar });
    stream.within(
      () =>
        void runStream(coalesced(sink, context), source, { control, idleMs }).then((summary) => {
          admitted.release(summary);
          stream.end(summary);
        }),
    );
  }

  const tokens = (request: GenerationRequest, call: Call<TokenEvent>) =>
    call.context.resumable || options.streams?.always ? resumableTokens(request, call) : plainTokens(request, call);

  // A reader of a resumable stream: as silent as what it follows, so no idle bound.
  function resume({ streamId, afterSeq }: { streamId: string; afterSeq: number }, { sink, context, control }: Call<TokenEvent>) {
    const stream = tracker.track(context, "read");
    return tracked(stream, { sink, how: { control, firstSeq: afterSeq + 1 } }, async (signal) => {
      const admitted = await admission.reader(context, stream.record);
      return [copiesOf(log.read(streamId, { afterSeq, caller: admitted.caller, signal, onlyLive: context.onlyLive })), admitted.release];
    });
  }

  // The pull style of a push: the same stream into an iterator sink.
  const pulled = <E extends StreamedEvent>(context: CallContext, push: (call: Call<E>) => Promise<StreamSummary>): AsyncIterable<E> =>
    pullStream((sink, control) => void push({ sink, context, control }), { highWaterMark: options.limits?.highWaterMark, control: () => controlOf(context) });
  const pushed = <E>(sink: TokenSink<E>, context: CallContext): Call<E> => ({ sink, context, control: controlOf(context) });

  async function drain(grace: number): Promise<void> {
    admission.drain();
    await tracker.untilIdle(grace);
    ended.abort(errors.shuttingDown());
    await tracker.untilIdle();
  }

  return {
    get openStreams() {
      return tracker.open;
    },
    models: options.models ?? options.resolve.models ?? { models: [], defaultModel: "", acceptsAnyModel: true },
    streamTokens: (request, context = {}) => pulled(context, (call) => tokens(request, call)),
    pipeTokens: (request, sink, context = {}) => tokens(request, pushed(sink, context)),
    resumeStream: (streamId, afterSeq, context = {}) => pulled(context, (call) => resume({ streamId, afterSeq }, call)),
    pipeResume: (position, sink, context = {}) => resume(position, pushed(sink, context)),
    async stopStream(streamId, context = {}) {
      return log.stop(streamId, await admission.authenticate(context));
    },
    async deleteStream(streamId, context = {}) {
      await deleteNamedStream(log, streamId, await admission.authenticate(context));
    },
    generate: (request, context = {}) => collectAnswer(pulled(context, (call) => tokens(request, call))),
    streamRunEvents: (request, context = {}) => pulled(context, (call) => runEvents(request, call)),
    pipeRunEvents: (request, sink, context = {}) => runEvents(request, pushed(sink, context)),
    drain: (grace = Infinity) => (drained ??= drain(grace)),
  };
}

const run = (start: () => void): void => start();
