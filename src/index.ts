// tokenwire's transport-free core, its in-process iterator and its models. Adapters live at their own subpaths.
export {
  createTokenwire,
  type Tokenwire,
  type TokenwireOptions,
  type CallContext,
  type ResumableOptions,
  type StreamObserver,
  type StreamObservation,
  type ObservedStream,
  type StreamOutcome,
} from "./core/tokenwire.ts";
export { createMemoryStreamLog, type MemoryStreamLogOptions } from "./core/memory-stream-log.ts";
export type { StreamLog, StreamLogWriter, CreateStreamOptions, ReadStreamOptions } from "./core/stream-log.ts";
export { streamTokens, produceTokens, type StreamTokensOptions, type ProduceTokensOptions } from "./core/token-stream.ts";
export { runStream, type StreamSummary, type EventSource, type StreamedEvent } from "./core/run-stream.ts";
export { openStream, type OpenStreamOptions } from "./core/open-stream.ts";
export { createStreamControl, type StreamControl, type StopOptions } from "./core/stream-control.ts";
export { sourceFor } from "./core/sources/source-for.ts";
export { chunkSource } from "./core/sources/chunk-source.ts";
export { callbackSource } from "./core/sources/callback-source.ts";
export { runEventSource, type EventStreamingRunnable } from "./core/sources/run-event-source.ts";
export type { TokenSource, SourceRun, SourceEvent, StreamingRunnable } from "./core/sources/token-source.ts";
export { collectAnswer, type Answer } from "./core/answer.ts";
export { errors } from "./core/errors.ts";
export { createIteratorSink, type IteratorSink, type IteratorSinkOptions } from "./core/iterator-sink.ts";
export { validateRequest } from "./core/generation-request.ts";
export { TokenwireError } from "./core/tokenwire-error.ts";
export { codes, type Code } from "./core/code.ts";
export type { TokenEvent, TokenPart, DeltaPart, Origin, RunEvent, FinishReason, Usage } from "./core/token-event.ts";
export type { GenerationRequest, ChatMessage, RequestLimits, ToolCall, ToolChoice, ToolDefinition } from "./core/generation-request.ts";
export type { ModelResolver, ResolvedRun, ModelList } from "./core/model-resolver.ts";
export type { TokenSink } from "./core/token-sink.ts";
export { silentLogger, type Logger } from "./core/logger.ts";
export { tokenwireFrom, messagesInput, type TokenwireInput, type TokenwireShorthand } from "./models/tokenwire-from.ts";
export { createModelCatalog, type ModelCatalogOptions, type ModelSettings, type PromptRecipe } from "./models/model-catalog.ts";
export { LocalChatModel, type LocalChatModelFields } from "./models/local-chat-model.ts";
export { modelsFromEnv, type ModelsDescription, type ModelsFromEnvOptions, type ProviderDescription } from "./models/models-from-env.ts";
export { localModelName } from "./config/models-settings.ts";
export { openAIModelFactory, type OpenAIConnection } from "./models/openai-model.ts";
export { OpenAIChatModel } from "./models/openai-chat-model.ts";
export { anthropicModelFactory, type AnthropicConnection } from "./models/anthropic-model.ts";
export { AnthropicChatModel } from "./models/anthropic-chat-model.ts";
export { readModelsFile, type ModelsConfig, type ProviderConfig } from "./config/models-file.ts";
export { upstreamFetch, type UpstreamFetchOptions } from "./models/upstream-fetch.ts";
export { seedTemplate, seedInputVariable } from "./models/seed-template.ts";
