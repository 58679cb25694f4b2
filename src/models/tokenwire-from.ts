import type { BaseChatModel } from "@langchain/core/language_models/chat_models";
import { errors } from "../core/errors.ts";
import type { GenerationRequest } from "../core/generation-request.ts";
import type { ModelResolver, ResolvedRun } from "../core/model-resolver.ts";
import { createTokenwire, type Tokenwire, type TokenwireOptions } from "../core/tokenwire.ts";
import { messagesOf, offeredModel, withCallOptions } from "./model-catalog.ts";

/** TokenwireOptions with `resolve` replaced by one chat model or one runnable, for embedders with a single model. */
export type TokenwireShorthand = Omit<TokenwireOptions, "resolve"> & {
  /** The name callers may ask for and see in the started event; default `"default"`. */
  name?: string;
} & (
    | { /** Serves this chat model; a request's prompt or messages are its input. */ model: BaseChatModel }
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

/** What every adapter accepts: a service already created, its options, or the one-model shorthand. */
export type TokenwireInput = Tokenwire | TokenwireOptions | TokenwireShorthand;

/** Turns what an embedder passes to an adapter into the {@link Tokenwire} the adapter serves. */
export function tokenwireFrom(input: TokenwireInput): Tokenwire {
  if ("streamTokens" in input) return input;
  if ("resolve" in input) return createTokenwire(input);
  return createTokenwire({ ...input, resolve: resolverOf(input) });
}

/** A graph's or agent's input: the request's chat history, or its prompt as one user message. */
export function messagesInput(request: GenerationRequest): { messages: ReturnType<typeof messagesOf> } {
  return { messages: messagesOf(request) };
}

// One instance serves every request: the catalogue's name rules, and no per-request model to build.
function resolverOf(input: TokenwireShorthand): ModelResolver {
  const name = input.name ?? "default";
  const [runnable, inputFrom] = "model" in input ? [input.model, messagesOf] : [input.runnable, input.inputFrom ?? promptInput(input.inputVariable ?? "input")];
  const models = { models: [name], defaultModel: name, acceptsAnyModel: false };
  const resolve = (request: GenerationRequest): ResolvedRun => {
    const model = offeredModel(request, { defaultModel: name, allowedModels: [name] });
    // A model instance fixes its temperature and token limit when it is built (ChatOpenAI copies them into its
    // inner clients), and a runnable has no one place for them: refuse them rather than drop them.
    if (request.temperature !== undefined || request.maxTokens !== undefined) {
      throw errors.invalidRequest("this server's model has a fixed temperature and max_tokens: leave them unset");
    }
    if (request.stop?.length && !("model" in input)) throw errors.invalidRequest("this server's runnable takes no stop sequences");
    // A chain or a graph has its own tools, or none: only a chat model is handed the request's, and the core refuses the rest.
    const served = "model" in input ? withCallOptions(input.model, request) : { runnable: runnable as ResolvedRun["runnable"] };
    return { model, ...served, input: inputFrom(request) };
  };
  return Object.assign(resolve, { models });
}

function promptInput(inputVariable: string) {
  return (request: GenerationRequest): unknown => {
    if (!request.prompt) throw errors.invalidRequest("this server takes a prompt and not messages");
    return { ...request.variables, [inputVariable]: request.prompt };
  };
}
