import type { ConnectError } from "@connectrpc/connect";
import type { DescMessage, DescMethodServerStreaming, MessageInitShape, MessageShape } from "@bufbuild/protobuf";
import type { StreamSummary } from "../../core/run-stream.ts";
import type { TokenEvent } from "../../core/token-event.ts";
import type { TokenSink } from "../../core/token-sink.ts";
import type { CallContext, Tokenwire } from "../../core/tokenwire.ts";
import { Chatgpt } from "../../../gen/openai/chatgpt_pb.js";
import { TokenService } from "../../../gen/tokenwire/v1/token_service_pb.js";
import { sendRequestOf } from "../connect/chatgpt-service.ts";
import { generationFromProto } from "../connect/generation-from-proto.ts";
import { resumePositionOf, responseFromRunEvent, responseFromTokenEvent } from "../connect/token-service.ts";
import type { TokenwireRoutesOptions } from "../connect/tokenwire-routes.ts";

/** One server-streaming RPC answered by a frame sink: how its request starts a stream, and what each event sends. */
export interface StreamRoute<I extends DescMessage = DescMessage, O extends DescMessage = DescMessage, E = never> {
  method: DescMethodServerStreaming<I, O>;
  /** Starts the stream of one request into the sink; throws a ConnectError for a request it cannot read. */
  start(request: MessageShape<I>, sink: TokenSink<E>, context: CallContext): Promise<StreamSummary>;
  /** The message of an event; undefined for an event the RPC does not send. */
  response(event: E): MessageInitShape<O> | undefined;
  /** Headers an event adds to the response head. */
  headerOf?(event: E): Record<string, string> | undefined;
  /** The message sent before the status of a failed stream. */
  failure?(error: ConnectError): MessageInitShape<O>;
}

// Each route keeps its own types; the handler sees them all as one.
const route = <I extends DescMessage, O extends DescMessage, E>(spec: StreamRoute<I, O, E>) => spec as unknown as StreamRoute<DescMessage, DescMessage, unknown>;

/**
 * The server-streaming RPCs of {@link tokenwireRoutes}, as frame sinks
 * answer them: the same requests, events and messages as the Connect
 * services' handlers, pushed into the sink instead of pulled.
 */
export function streamRoutes(tokenwire: Tokenwire, options: TokenwireRoutesOptions = {}): StreamRoute<DescMessage, DescMessage, unknown>[] {
  const routes = [
    route({
      method: TokenService.method.streamTokens,
      start: (request, sink, context) => tokenwire.pipeTokens(generationFromProto(request.generation), sink, { ...context, resumable: request.resumable }),
      response: responseFromTokenEvent,
    }),
    route({
      method: TokenService.method.resumeStream,
      start: (request, sink, context) => tokenwire.pipeResume(resumePositionOf(request), sink, context),
      response: responseFromTokenEvent,
    }),
    route({
      method: TokenService.method.streamRunEvents,
      start: (request, sink, context) => tokenwire.pipeRunEvents(generationFromProto(request.generation), sink, context),
      response: responseFromRunEvent,
    }),
  ];
  if (options.chatgpt === false) return routes;
  const chatgpt = options.chatgpt || {};
  // The seed's `Send`: one Answer.content per delta; on failure one Answer.error, then the status.
  const send = route({
    method: Chatgpt.method.send,
    start: (request, sink: TokenSink<TokenEvent>, context) => tokenwire.pipeTokens(sendRequestOf(request, chatgpt), sink, context),
    response: (event) => (event.type === "delta" ? { content: event.text } : undefined),
    headerOf: (event) => (event.type === "started" ? { "tokenwire-run-id": event.runId } : undefined),
    failure: (error) => ({ error: error.rawMessage }),
  });
  return [...routes, send];
}
