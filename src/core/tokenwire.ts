import { collectAnswer, type Answer } from "./answer.ts";
import { callerScopedLog } from "./caller-scoped-log.ts";
import { errors } from "./errors.ts";
import { validateRequest, type GenerationRequest } from "./generation-request.ts";
import { copiesOf, logSink } from "./log-sink.ts";
import { silentLogger } from "./logger.ts";
import { createStartQueue } from "./start-queue.ts";
import { logStreamEnd } from "./stream-log-line.ts";
import { createMemoryStreamLog } from "./memory-stream-log.ts";
import { createNamedStream } from "./named-stream.ts";
import type { ModelList, ResolvedRun } from "./model-resolver.ts";
import { openStream } from "./open-stream.ts";
import { runStream, type EventSource, type StreamedEvent, type StreamSummary } from "./run-stream.ts";
import { runEventSource } from "./sources/run-event-source.ts";
import { createStreamControl } from "./stream-control.ts";
import type { StreamLogWriter } from "./stream-log.ts";
import type { CallContext, ObservedStream, TokenwireOptions } from "./tokenwire-options.ts";
import { tokenSourceOf } from "./token-stream.ts";
import type { RunEvent, TokenEvent } from "./token-event.ts";
import type { TokenSink } from "./token-sink.ts";
import { TokenwireError } from "./tokenwire-error.ts";

export type { CallContext, ObservedStream, ResumableOptions, StreamObservation, StreamObserver, StreamOutcome, TokenwireOptions } from "./tokenwire-options.ts";

/** The streaming service every adapter serves: requests in, event streams out. */
export interface Tokenwire {
  /** Streams started, the parts, and finished; a failure throws a TokenwireError from the loop. */
  streamTokens(request: GenerationRequest, context?: CallContext): AsyncIterable<TokenEvent>;
  /** Streams into a push-style transport's sink (a resumable stream's first reader when the context asks); resolves once the sink is closed. */
  pipeTokens(request: GenerationRequest, sink: TokenSink<TokenEvent>, context?: CallContext): Promise<StreamSummary>;
  /** A resumable stream's events after `afterSeq`, then live to its end. */
  resumeStream(streamId: string, afterSeq: number, context?: CallContext): AsyncIterable<TokenEvent>;
  /** Stops a resumable stream's generation; true when it was still generating. */
  stopStream(streamId: string, context?: CallContext): Promise<boolean>;
  /** Generates the whole answer; a failure is thrown. */
  generate(request: GenerationRequest, context?: CallContext): Promise<Answer>;
  /** Streams LangChain's run events for the same request. */
  streamRunEvents(request: GenerationRequest, context?: CallContext): AsyncIterable<RunEvent>;
  /** The models this service offers. */
  readonly models: ModelList;
  /** Streams open now: generations and readers. */
  readonly openStreams: number;
}

interface Admitted {
  run: ResolvedRun;
  caller: string | undefined;
}

/** What the log line, the observers and the stream limit know of one stream. */
interface StreamRecord {
  model: string;
  caller: string | undefined;
  holdsSlot: boolean;
}

/** Creates the transport-free service that adapters put on a wire. */
export function createTokenwire(options: TokenwireOptions): Tokenwire {
  const logger = options.logger ?? silentLogger;
  const maxStreams = options.limits?.maxConcurrentStreams ?? 1024;
  const models = options.models ?? options.resolve.models ?? { models: [], defaultModel: "", acceptsAnyModel: true };
  const log = callerScopedLog(options.streams?.log ?? createMemoryStreamLog());
  const graceMs = options.streams?.graceMs ?? 30_000;
  const startSoon = createStartQueue();
  const idleMs = options.limits?.upstreamIdleMs ?? 300_000;
  let openStreams = 0;

  async function callerOf(context: CallContext): Promise<string | undefined> {
    try {
      return (await options.authenticate?.(context.headers ?? new Headers())) ?? undefined;
    } catch (reason) {
      throw reason instanceof TokenwireError ? reason : errors.refusedByAuthenticate(reason);
    }
  }

  // Streams hold a slot from admission to their end. Admission runs in arrival order (the start queue), so under
  // a burst past the limit the latest arrivals are the ones refused.
  let running = 0;
  const takeSlot = (record: StreamRecord, check: boolean): void => {
    if (check && running >= maxStreams) throw errors.tooManyStreams(maxStreams);
    running++;
    record.holdsSlot = true;
  };

  async function admit(request: GenerationRequest, context: CallContext, record: StreamRecord): Promise<Admitted> {
    takeSlot(record, true);
    const caller = await callerOf(context);
    record.caller = caller;
    validateRequest(request, options.limits);
    try {
      const run = await options.resolve(request);
      record.model = run.model;
      if (request.tools?.length && !run.toolsBound) throw errors.toolsNotTaken();
      return { run, caller };
    } catch (reason) {
      throw TokenwireError.from(reason);
    }
  }

  // A stream counted while open, observed, and logged when it ends; its source may admit the call first.
  function tracked<E extends StreamedEvent>(context: CallContext, source: (signal: AbortSignal, record: StreamRecord) => ReturnType<EventSource<E>>, kind: ObservedStream["kind"]) {
    const record: StreamRecord = { model: "", caller: undefined, holdsSlot: false };
    const observations = (options.observers ?? []).map((observe) => observe({ context, kind })).filter((o) => o !== undefined);
    openStreams++;
    const onEnd = (summary: StreamSummary): void => {
      openStreams--;
      if (record.holdsSlot) running--;
      logStreamEnd(logger, { context, model: record.model, caller: record.caller, summary });
      for (const observation of observations) observation.end?.({ summary, model: record.model, caller: record.caller });
    };
    // Each observer's run wraps the next, so every one's context is current when the model is called.
    const within = (start: () => void): void => observations.reduce((run, o) => (o.run ? () => o.run!(run) : run), start)();
    return { source: (signal: AbortSignal) => source(signal, record), onEnd, within, signals: [context.signal, options.signal], timeoutMs: context.timeoutMs };
  }

  // A generation's stream is bounded in silence; a reader of the log is as silent as what it follows.
  const open = <E extends StreamedEvent>(stream: ReturnType<typeof tracked<E>>, reading?: { firstSeq: number }): AsyncIterable<E> =>
    openStream(stream.source, {
      ...{ ...stream, ...reading, idleMs: reading ? undefined : idleMs, highWaterMark: options.limits?.highWaterMark },
      schedule: (start) => startSoon(() => stream.within(start)),
    });

  const tokenSource = ({ run }: Admitted) => tokenSourceOf(run.runnable, run.input, { model: run.model });
  // A plain stream's source: the call admitted, then the runnable's events.
  const admittedTokens = (request: GenerationRequest, context: CallContext) => async (signal: AbortSignal, record: StreamRecord) =>
    tokenSource(await admit(request, context, record))(signal);

  // A resumable stream's generation: it writes into the log, apart from any reader, until it ends or is stopped or
  // abandoned. It was admitted with its first reader, and holds a slot of its own.
  function generate({ admitted, streamId, writer, context }: { admitted: Admitted; streamId: string; writer: StreamLogWriter; context: CallContext }): void {
    const stream = tracked<TokenEvent>(
      context,
      (signal, record) => {
        takeSlot(record, false);
        Object.assign(record, { model: admitted.run.model, caller: admitted.caller });
        return tokenSource(admitted)(signal);
      },
      "generation",
    );
    const control = createStreamControl({ signals: [options.signal, writer.stopped, writer.abandoned], timeoutMs: context.timeoutMs });
    stream.within(() => void runStream(logSink(writer, streamId), stream.source, { control, idleMs }).then(stream.onEnd));
  }

  const isResumable = (context: CallContext): boolean => Boolean(context.resumable || options.streams?.always);

  // The first reader of a new resumable stream: it starts the generation, then reads the log from its start.
  const firstReader = (request: GenerationRequest, context: CallContext) =>
    tracked(context, async (signal, record) => {
      const admitted = await admit(request, context, record);
      const streamId = context.streamId ?? crypto.randomUUID();
      generate({ admitted, streamId, writer: await createNamedStream(log, streamId, { owner: admitted.caller, graceMs }), context });
      return copiesOf(log.read(streamId, { afterSeq: -1, caller: admitted.caller, signal }));
    }, "read");

  return {
    get openStreams() {
      return openStreams;
    },
    models,
    streamTokens(request, context = {}) {
      if (!isResumable(context)) return open(tracked(context, admittedTokens(request, context), "generation"));
      return open(firstReader(request, context), { firstSeq: 0 });
    },
    pipeTokens(request, sink, context = {}) {
      const resumable = isResumable(context);
      const stream = resumable ? firstReader(request, context) : tracked(context, admittedTokens(request, context), "generation");
      const reading = resumable ? { firstSeq: 0 } : { idleMs };
      return new Promise((resolve) =>
        stream.within(() => void runStream(sink, stream.source, { control: createStreamControl(stream), ...reading }).then((summary) => resolve((stream.onEnd(summary), summary)))),
      );
    },
    resumeStream(streamId, afterSeq, context = {}) {
      const stream = tracked(context, async (signal, record) => {
        takeSlot(record, true);
        record.caller = await callerOf(context);
        return copiesOf(log.read(streamId, { afterSeq, caller: record.caller, signal, onlyLive: context.onlyLive }));
      }, "read");
      return open(stream, { firstSeq: afterSeq + 1 });
    },
    async stopStream(streamId, context = {}) {
      return log.stop(streamId, await callerOf(context));
    },
    generate(request, context = {}) {
      return collectAnswer(this.streamTokens(request, context));
    },
    streamRunEvents(request, context = {}) {
      return open(tracked<RunEvent>(context, async (signal, record) => {
        const { run } = await admit(request, context, record);
        return runEventSource({ ...run, runId: crypto.randomUUID(), signal });
      }, "run_events"));
    },
  };
}
