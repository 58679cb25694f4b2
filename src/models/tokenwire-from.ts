import type { BaseChatModel } from "@langchain/core/language_models/chat_models";
import { errors } from "../core/errors.ts";
import type { GenerationRequest } from "../core/generation-request.ts";
import type { ModelResolver, ResolvedRun } from "../core/model-resolver.ts";
import { createTokenwire, type Tokenwire, type TokenwireOptions } from "../core/tokenwire.ts";
import { createModelCatalog, messagesOf, offeredModel, type ModelSettings } from "./model-catalog.ts";

/** TokenwireOptions with `resolve` replaced by one chat model or one runnable, for embedders with a single model. */
export type TokenwireShorthand = Omit<TokenwireOptions, "resolve"> & {
  /** The name callers may ask for and see in the started event; default the chat model's own (its `model` field), else `"default"`. */
  name?: string;
} & (
    | {
        /**
         * Serves this chat model; a request's prompt or messages are its input.
         * A request's temperature and max tokens are served by a copy of it built
         * with them, as a models file's catalogue builds one.
         */
        model: BaseChatModel;
      }
    | {
        /** Serves this runnable: a chain such as `prompt.pipe(model)`, a LangGraph graph or agent. */
        runnable: ResolvedRun["runnable"];
        /**
         * Turns a request into the runnable's input. Default `{ [inputVariable]: prompt, ...variables }`,
         * for a prompt template; {@link messagesInput} gives a graph or agent `{ messages }`.
         */
        inputFrom?: (request: GenerationRequest) => unknown;
        /** The input key that the request's prompt fills by default; default `"input"`. */
        inputVariable?: string;
      }
  );

/** What a service is built from: its options, or the one-model shorthand. */
export type TokenwireInput = TokenwireOptions | TokenwireShorthand;

/**
 * Builds the {@link Tokenwire} that adapters serve, once: every adapter
 * mounted on it shares its limits, its log and its drain.
 */
export function tokenwireFrom(input: TokenwireInput): Tokenwire {
  if ("resolve" in input) return createTokenwire(input);
  return createTokenwire({ ...input, resolve: "model" in input ? catalogueOfOne(input.model, input.name) : resolverOf(input) });
}

/** A graph's or agent's input: the request's chat history, or its prompt as one user message. */
export function messagesInput(request: GenerationRequest): { messages: ReturnType<typeof messagesOf> } {
  return { messages: messagesOf(request) };
}

/**
 * One chat model as a catalogue of one: the catalogue's rules for names, call
 * options and tools. A model fixes its temperature and token limit when it is
 * built (ChatOpenAI copies them into its inner clients), so a request that
 * sets them gets a copy built from the model's own fields with them, shared
 * by every request with the same settings.
 */
function catalogueOfOne(model: BaseChatModel, name = nameOf(model)): ModelResolver {
  const createModel = ({ temperature, maxTokens }: ModelSettings) => (temperature === undefined && maxTokens === undefined ? model : copyOf(model, { temperature, maxTokens }));
  return createModelCatalog({ createModel, defaultModel: name, allowedModels: [name] });
}

// LangChain's models keep the fields they were built with (`lc_kwargs`): a copy is built from them, with the
// request's settings over them.
function copyOf(model: BaseChatModel, settings: Omit<ModelSettings, "model">): BaseChatModel {
  const fields = Object.fromEntries(Object.entries(settings).filter(([, value]) => value !== undefined));
  const Model = model.constructor as new (fields: Record<string, unknown>) => BaseChatModel;
  return new Model({ ...model.lc_kwargs, ...fields });
}

// ChatOpenAI, ChatAnthropic and their kind name their model in `model`.
function nameOf(model: BaseChatModel): string {
  const named = (model as { model?: unknown }).model;
  return typeof named === "string" && named !== "" ? named : "default";
}

// A chain or a graph: one instance serves every request, with the catalogue's name rules.
function resolverOf(input: Extract<TokenwireShorthand, { runnable: unknown }>): ModelResolver {
  const name = input.name ?? "default";
  const inputFrom = input.inputFrom ?? promptInput(input.inputVariable ?? "input");
  const models = { models: [name], defaultModel: name, acceptsAnyModel: false };
  const resolve = (request: GenerationRequest): ResolvedRun => {
    const model = offeredModel(request, { defaultModel: name, allowedModels: [name] });
    // A runnable has no one place for these: refuse them rather than drop them.
    if (request.temperature !== undefined || request.maxTokens !== undefined) {
      throw errors.invalidRequest("this server's runnable has a fixed temperature and max_tokens: leave them unset");
    }
    if (request.stop?.length) throw errors.invalidRequest("this server's runnable takes no stop sequences");
    // A chain or a graph has its own tools, or none: the core refuses a request's.
    return { model, runnable: input.runnable, input: inputFrom(request) };
  };
  return Object.assign(resolve, { models });
}

function promptInput(inputVariable: string) {
  return (request: GenerationRequest): unknown => {
    if (!request.prompt) throw errors.invalidRequest("this server takes a prompt and not messages");
    return { ...request.variables, [inputVariable]: request.prompt };
  };
}
