export {
  tokenwireResponsesHandler,
  tokenwireResponsesFetchHandler,
  type TokenwireResponsesHandlerOptions,
  type TokenwireResponsesFetchHandlerOptions,
  type ResponsesRoutesOptions,
} from "./tokenwire-responses-handler.ts";
export { createResponseBuilder, unknownEcho, type ResponseBuilder, type ResponseEcho, type ResponseEvent, type ResponseStatus } from "./response-builder.ts";
export { createResponseStreamSink, createResponseReadSink, type ResponseStreamSinkOptions, type ResponseReadSinkOptions } from "./response-stream-sink.ts";
export { responseCall, type ResponseCall } from "./response-call.ts";
export { newResponseId } from "./response-ids.ts";
export type { SseSink, SseEncoder, SseSinkOptions } from "../dialect/sse-sink.ts";
export type { DialectNodeHandler, FetchHandler } from "../dialect/dialect-handler.ts";
