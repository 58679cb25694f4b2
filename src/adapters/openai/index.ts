export {
  tokenwireOpenAIHandler,
  tokenwireOpenAIFetchHandler,
  type TokenwireOpenAIHandlerOptions,
  type TokenwireOpenAIFetchHandlerOptions,
  type OpenAIRoutesOptions,
} from "./tokenwire-openai-handler.ts";
export { createChatCompletionSink, chatCompletionFrom, type ChatCompletionSinkOptions } from "./chat-completion-sink.ts";
export { chatCompletionCall, type ChatCompletionCall } from "./chat-completion-call.ts";
export type { SseSink, SseEncoder } from "../dialect/sse-sink.ts";
export type { DialectNodeHandler, FetchHandler } from "../dialect/dialect-handler.ts";
