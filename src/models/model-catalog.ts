import type { BaseChatModel } from "@langchain/core/language_models/chat_models";
import { HumanMessage, type BaseMessage, AIMessage, SystemMessage } from "@langchain/core/messages";
import type { BasePromptTemplate } from "@langchain/core/prompts";
import type { GenerationRequest } from "../core/generation-request.ts";
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
  /** Builds the chat model for one request. */
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
  const resolve = (request: GenerationRequest): ResolvedRun => {
    const model = offeredModel(request, options);
    const chatModel = withStop(options.createModel({ model, temperature: request.temperature, maxTokens: request.maxTokens }), request.stop);
    const recipe = recipeFor(request.template || options.defaultTemplate, options.templates);
    if (!recipe) return { model, runnable: chatModel, input: messagesOf(request) };
    return { model, runnable: recipe.template.pipe(chatModel), input: templateInput(recipe, request) };
  };
  const models = { models: [...(options.allowedModels ?? [options.defaultModel])], defaultModel: options.defaultModel, acceptsAnyModel: !options.allowedModels };
  return Object.assign(resolve, { models });
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

/** A request's prompt or chat history as LangChain messages. @internal */
export function messagesOf({ prompt, messages = [] }: GenerationRequest): BaseMessage[] {
  if (prompt) return [new HumanMessage(prompt)];
  return messages.map(({ role, content }) =>
    role === "system" ? new SystemMessage(content) : role === "assistant" ? new AIMessage(content) : new HumanMessage(content),
  );
}
