import type { BaseChatModel } from "@langchain/core/language_models/chat_models";
import { HumanMessage, type BaseMessage, AIMessage, SystemMessage, ToolMessage } from "@langchain/core/messages";
import type { BasePromptTemplate } from "@langchain/core/prompts";
import type { ChatMessage, GenerationRequest } from "../core/generation-request.ts";
import { errors } from "../core/errors.ts";
import type { ModelList, ModelResolver, ResolvedRun } from "../core/model-resolver.ts";

/** A request's model settings, for a factory that builds the model. */
export interface ModelSettings {
  model: string;
  temperature?: number;
  maxTokens?: number;
}

/** A prompt template and the variable that a request's prompt fills. */
export interface PromptRecipe {
  template: BasePromptTemplate;
  inputVariable: string;
}

/** Options of {@link createModelCatalog}. */
export interface ModelCatalogOptions {
  /** Builds the chat model for a request's settings; requests with the same settings share what it built. */
  createModel: (settings: ModelSettings) => BaseChatModel;
  /** The model used when a request names none. */
  defaultModel: string;
  /** The names a caller may ask for; unset passes any name through to the upstream. */
  allowedModels?: readonly string[];
  /** Prompt templates a request may name; a prompt runs as `template | model`. */
  templates?: Record<string, PromptRecipe>;
  /** The template for requests that name none; unset sends the prompt as one user message. */
  defaultTemplate?: string;
}

/**
 * A {@link ModelResolver} over a model factory: checks the model name against
 * the allowed list (a name outside it is `not_found`, never a silent fallback)
 * and builds `template | model` or the bare model with its input.
 */
export function createModelCatalog(options: ModelCatalogOptions): ModelResolver & { models: ModelList } {
  const sharedModel = sharedModels(options.createModel);
  const resolve = (request: GenerationRequest): ResolvedRun => {
    const model = offeredModel(request, options);
    const shared = sharedModel({ model, temperature: request.temperature, maxTokens: request.maxTokens });
    const recipe = recipeFor(request.template || options.defaultTemplate, options.templates);
    if (!recipe) return { model, ...withCallOptions(shared, request), input: messagesOf(request) };
    // A template chain binds no tools: the core refuses a request that offers some.
    return { model, runnable: recipe.template.pipe(withStop(shared, request.stop)), input: templateInput(recipe, request) };
  };
  const models = { models: [...(options.allowedModels ?? [options.defaultModel])], defaultModel: options.defaultModel, acceptsAnyModel: !options.allowedModels };
  return Object.assign(resolve, { models });
}

// Distinct settings kept at once: enough for every model and setting a service offers, bounded against a caller
// who sends a new temperature with every request.
const sharedModelsKept = 256;

/**
 * The factory's models, one per distinct settings and shared by every request
 * that asks for them: a chat model keeps no call's state, and building one (its
 * client, its headers, its options) costs more than many tokens do. The least
 * recently used goes first once {@link sharedModelsKept} are kept.
 */
function sharedModels(createModel: (settings: ModelSettings) => BaseChatModel): (settings: ModelSettings) => BaseChatModel {
  const kept = new Map<string, BaseChatModel>();
  return (settings) => {
    const key = `${settings.model}\u0000${settings.temperature}\u0000${settings.maxTokens}`;
    const model = kept.get(key) ?? createModel(settings);
    kept.delete(key);
    kept.set(key, model);
    if (kept.size > sharedModelsKept) kept.delete(kept.keys().next().value!);
    return model;
  };
}

/**
 * The model a request gets: the one it names, or the default. A name outside
 * the allowed list is `not_found`, never a silent fallback.
 * @internal
 */
export function offeredModel(request: GenerationRequest, options: Pick<ModelCatalogOptions, "defaultModel" | "allowedModels">): string {
  const model = request.model || options.defaultModel;
  if (options.allowedModels && !options.allowedModels.includes(model)) throw errors.modelNotOffered(model, options.allowedModels);
  return model;
}

function templateInput({ template, inputVariable }: PromptRecipe, { prompt, variables }: GenerationRequest): Record<string, string> {
  if (!prompt) throw errors.invalidRequest("a prompt template takes a prompt and not messages");
  const input = { ...variables, [inputVariable]: prompt };
  const missing = template.inputVariables.filter((name) => !(name in input));
  if (missing.length > 0) throw errors.invalidRequest(`the prompt template needs the variables ${missing.join(" and ")}`);
  return input;
}

function recipeFor(name: string | undefined, templates: Record<string, PromptRecipe> = {}): PromptRecipe | undefined {
  if (name === undefined) return undefined;
  const recipe = Object.hasOwn(templates, name) ? templates[name] : undefined;
  if (!recipe) throw errors.templateNotOffered(name);
  return recipe;
}

/** A chat model that stops at the request's stop sequences, passed as a call option that every chat model reads. @internal */
export function withStop(model: BaseChatModel, stop: string[] | undefined): BaseChatModel | ReturnType<BaseChatModel["withConfig"]> {
  return stop?.length ? model.withConfig({ stop }) : model;
}

/**
 * A chat model bound to a request's call options: its stop sequences, and its
 * tools and tool choice through the model's own `bindTools`, which returns a
 * new binding and leaves the model, shared between requests, as it was. A
 * model that cannot call tools binds none, and says so: the core refuses a
 * request whose tools were not bound.
 * @internal
 */
export function withCallOptions(model: BaseChatModel, { stop, tools, toolChoice }: GenerationRequest): Pick<ResolvedRun, "runnable" | "toolsBound"> {
  const runnable = (bound: ReturnType<typeof withStop>) => bound as ResolvedRun["runnable"];
  if (!tools?.length || typeof model.bindTools !== "function") return { runnable: runnable(withStop(model, stop)), toolsBound: false };
  const definitions = tools.map(({ name, description, parameters }) => ({ type: "function" as const, function: { name, description, parameters: parameters ?? { type: "object", properties: {} } } }));
  const bound = model.bindTools(definitions, toolChoice === undefined ? {} : { tool_choice: typeof toolChoice === "string" ? toolChoice : toolChoice.name });
  // ChatOpenAI binds as a copy of itself (about 50 µs here, once a request); other models as a binding,
  // whose withConfig adds to the same binding. Either way the chat-model path reads one model.
  return { runnable: runnable(stop?.length ? bound.withConfig({ stop }) : bound), toolsBound: true };
}

/** A request's prompt or chat history as LangChain messages. @internal */
export function messagesOf({ prompt, messages = [] }: GenerationRequest): BaseMessage[] {
  if (prompt) return [new HumanMessage(prompt)];
  return messages.map(messageOf);
}

function messageOf({ role, content, toolCalls, toolCallId }: ChatMessage): BaseMessage {
  if (role === "system") return new SystemMessage(content);
  if (role === "tool") return new ToolMessage({ content, tool_call_id: toolCallId ?? "" });
  if (role === "user") return new HumanMessage(content);
  if (!toolCalls?.length) return new AIMessage(content);
  const calls = toolCalls.map(({ id, name, argsJson }) => ({ id, name, args: JSON.parse(argsJson) as Record<string, unknown>, type: "tool_call" as const }));
  return new AIMessage({ content, tool_calls: calls });
}
