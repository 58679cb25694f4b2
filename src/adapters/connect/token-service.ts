import type { HandlerContext, ServiceImpl } from "@connectrpc/connect";
import type { MessageInitShape } from "@bufbuild/protobuf";
import type { Answer } from "../../core/answer.ts";
import type { FinishReason as CoreFinishReason, Origin, RunEvent, TokenEvent } from "../../core/token-event.ts";
import type { Tokenwire } from "../../core/tokenwire.ts";
import {
  FinishReason,
  TokenService,
  type GenerateResponseSchema,
  type ResumeStreamRequest,
  type StreamRunEventsResponseSchema,
  type StreamTokensResponseSchema,
} from "../../../gen/tokenwire/v1/token_service_pb.js";
import { callContextFrom } from "./call-context.ts";
import { connectErrorFrom } from "./connect-error-from.ts";
import { generationFromProto } from "./generation-from-proto.ts";

const finishReasons: Record<CoreFinishReason, FinishReason> = {
  stop: FinishReason.STOP,
  length: FinishReason.LENGTH,
  content_filter: FinishReason.CONTENT_FILTER,
  tool_calls: FinishReason.TOOL_CALLS,
  stopped: FinishReason.STOPPED,
  other: FinishReason.OTHER,
};

type StreamTokensResponse = MessageInitShape<typeof StreamTokensResponseSchema>;

/** `tokenwire.v1.TokenService` over a {@link Tokenwire}. */
export function tokenServiceImpl(tokenwire: Tokenwire): ServiceImpl<typeof TokenService> {
  // The handlers return the mapped iterable itself rather than delegating to it from a generator of their
  // own: one generator less per stream to hold, and one resumption less per message.
  return {
    streamTokens(request, context: HandlerContext) {
      const events = tokenwire.streamTokens(generationFromProto(request.generation), { ...callContextFrom(context), resumable: request.resumable });
      return mapEvents(events, responseFromTokenEvent);
    },
    resumeStream(request, context: HandlerContext) {
      const { streamId, afterSeq } = resumePositionOf(request);
      return mapEvents(tokenwire.resumeStream(streamId, afterSeq, callContextFrom(context)), responseFromTokenEvent);
    },
    stopStream: (request, context: HandlerContext) => unary(async () => ({ stopped: await tokenwire.stopStream(request.streamId, callContextFrom(context)) })),
    streamRunEvents(request, context: HandlerContext) {
      const events = tokenwire.streamRunEvents(generationFromProto(request.generation), callContextFrom(context));
      return mapEvents(events, responseFromRunEvent);
    },
    generate: (request, context: HandlerContext) => unary(async () => responseFromAnswer(await tokenwire.generate(generationFromProto(request.generation), callContextFrom(context)))),
    listModels() {
      const { models, defaultModel, acceptsAnyModel } = tokenwire.models;
      return { models: models.map((name) => ({ name })), defaultModel, acceptsAnyModel };
    },
  };
}

// A unary call's failure as a ConnectError.
async function unary<T>(call: () => Promise<T>): Promise<T> {
  try {
    return await call();
  } catch (reason) {
    throw connectErrorFrom(reason);
  }
}

/**
 * @internal Maps each event to a message, and a failure to a ConnectError. A
 * plain iterator, not a generator: connect's pipeline already runs several
 * generators per message, and this one would add a resumption for nothing.
 */
export function mapEvents<E, M>(events: AsyncIterable<E>, map: (event: E) => M): AsyncIterable<M> {
  return {
    [Symbol.asyncIterator]() {
      const iterator = events[Symbol.asyncIterator]();
      const mapped = (result: IteratorResult<E>): IteratorResult<M> => (result.done ? result : { done: false, value: map(result.value) });
      const failed = (reason: unknown): never => {
        throw connectErrorFrom(reason);
      };
      return {
        next: () => iterator.next().then(mapped, failed),
        async return(): Promise<IteratorResult<M>> {
          await iterator.return?.();
          return { done: true, value: undefined };
        },
        // connect-node throws into the response's iterator when a write fails (the client went away while the
        // stream waited on its flow-control window): the events stop, as a generator's loop would stop them.
        async throw(reason?: unknown): Promise<IteratorResult<M>> {
          await iterator.return?.();
          throw reason;
        },
      };
    },
  };
}

/** @internal Where a `ResumeStream` request resumes: past a sequence no stream reaches, nothing is left. */
export function resumePositionOf(request: ResumeStreamRequest): { streamId: string; afterSeq: number } {
  const afterSeq = request.afterSequence > BigInt(Number.MAX_SAFE_INTEGER) ? Number.MAX_SAFE_INTEGER : Number(request.afterSequence);
  return { streamId: request.streamId, afterSeq };
}

/** @internal The `StreamTokensResponse` of one event. */
export function responseFromTokenEvent(event: TokenEvent): StreamTokensResponse {
  const sequence = BigInt(event.seq);
  switch (event.type) {
    case "started":
      return { sequence, event: { case: "started", value: { runId: event.runId, model: event.model, streamId: event.streamId } } };
    case "delta":
      return withOrigin({ sequence, event: { case: "delta", value: { text: event.text } } }, event.origin);
    case "reasoning":
      return withOrigin({ sequence, event: { case: "reasoning", value: { text: event.text } } }, event.origin);
    case "tool_call_delta": {
      const value = { index: event.index, id: event.id, name: event.name, args: event.text };
      return withOrigin({ sequence, event: { case: "toolCallDelta", value } }, event.origin);
    }
    case "tool_call":
      return withOrigin({ sequence, event: { case: "toolCall", value: { id: event.id, name: event.name, argsJson: event.argsJson } } }, event.origin);
    case "tool_result": {
      const value = { toolCallId: event.toolCallId, name: event.name, content: event.content, isError: event.isError };
      return withOrigin({ sequence, event: { case: "toolResult", value } }, event.origin);
    }
    case "finished": {
      const value = { finishReason: finishReasons[event.finishReason], usage: event.usage, upstreamFinishReason: event.upstreamFinishReason };
      return { sequence, event: { case: "finished", value } };
    }
  }
}

// A plain model's parts have no origin: their messages stay as small as before origins existed.
function withOrigin(response: StreamTokensResponse, origin: Origin | undefined): StreamTokensResponse {
  if (origin) response.origin = { node: origin.node, runId: origin.runId };
  return response;
}

function responseFromAnswer(answer: Answer): MessageInitShape<typeof GenerateResponseSchema> {
  return { ...answer, finishReason: finishReasons[answer.finishReason] };
}

/** @internal The `StreamRunEventsResponse` of one run event. */
export function responseFromRunEvent(event: RunEvent): MessageInitShape<typeof StreamRunEventsResponseSchema> {
  return {
    sequence: BigInt(event.seq),
    event: event.event,
    name: event.name,
    runId: event.runId,
    tags: event.tags,
    text: event.text,
    dataJson: jsonOf(event.data),
  };
}

function jsonOf(data: unknown): string {
  try {
    return JSON.stringify(data) ?? "";
  } catch {
    return "";
  }
}
