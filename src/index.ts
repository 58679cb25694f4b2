// tokenwire's transport-free core, its in-process iterator and its models. Adapters live at their own subpaths.
export { createTokenwire, type Tokenwire, type TokenwireOptions, type CallContext } from "./core/tokenwire.ts";
export { streamTokens, type StreamTokensOptions } from "./core/token-stream.ts";
export { TokenwireError } from "./core/tokenwire-error.ts";
export { codes, type Code } from "./core/code.ts";
export type { TokenEvent, RunEvent, FinishReason, Usage } from "./core/token-event.ts";
export type { GenerationRequest, ChatMessage, RequestLimits } from "./core/generation-request.ts";
export type { ModelResolver, ResolvedRun } from "./core/model-resolver.ts";
export type { StreamingRunnable } from "./core/producer.ts";
export type { TokenSink } from "./core/token-sink.ts";
export { silentLogger, type Logger } from "./core/logger.ts";
export { tokenwireFrom, type TokenwireInput, type TokenwireShorthand } from "./models/tokenwire-from.ts";
export { createModelCatalog, type ModelCatalogOptions, type ModelSettings, type PromptRecipe } from "./models/model-catalog.ts";
export { LocalChatModel, type LocalChatModelFields } from "./models/local-chat-model.ts";
export { modelsFromEnv, localModelName, type ModelsDescription } from "./models/models-from-env.ts";
export { openAIModelFactory, type OpenAIConnection } from "./models/openai-model.ts";
export { seedTemplate, seedInputVariable } from "./models/seed-template.ts";
