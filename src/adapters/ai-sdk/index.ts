export {
  tokenwireUIMessageHandler,
  tokenwireUIMessageFetchHandler,
  type TokenwireUIMessageHandlerOptions,
  type TokenwireUIMessageFetchHandlerOptions,
  type UIMessageRoutesOptions,
} from "./tokenwire-ui-message-handler.ts";
export { createUIMessageStreamSink, uiMessageStreamHeaders } from "./ui-message-stream-sink.ts";
export { uiMessageCall, type UIMessageCall } from "./ui-message-call.ts";
export type { SseSink, SseEncoder, SseSinkOptions } from "../dialect/sse-sink.ts";
export type { DialectNodeHandler, FetchHandler } from "../dialect/dialect-handler.ts";
