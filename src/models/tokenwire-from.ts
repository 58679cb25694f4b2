import type { BaseChatModel } from "@langchain/core/language_models/chat_models";
import type { ModelResolver, ResolvedRun } from "../core/model-resolver.ts";
import { createTokenwire, type Tokenwire, type TokenwireOptions } from "../core/tokenwire.ts";
import { TokenwireError } from "../core/tokenwire-error.ts";
import { createModelCatalog } from "./model-catalog.ts";

/** TokenwireOptions with `resolve` replaced by one chat model or one runnable, for embedders with a single model. */
export type TokenwireShorthand = Omit<TokenwireOptions, "resolve"> & {
  /** The name callers may ask for and see in the started event; default `"default"`. */
  name?: string;
} & (
    | { /** Serves this chat model; a request's prompt or messages are its input. */ model: BaseChatModel }
    | {
        /** Serves this runnable, such as `prompt.pipe(model)`; its input is `{ [inputVariable]: prompt, ...variables }`. */
        runnable: ResolvedRun["runnable"];
        /** The input key that the request's prompt fills; default `"input"`. */
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

function resolverOf(input: TokenwireShorthand): ModelResolver {
  const name = input.name ?? "default";
  if ("model" in input) return createModelCatalog({ defaultModel: name, allowedModels: [name], createModel: () => input.model });
  const inputVariable = input.inputVariable ?? "input";
  return (request) => {
    if (request.model && request.model !== name) throw new TokenwireError("not_found", `model "${request.model}" is not offered here (choose ${name})`);
    if (!request.prompt) throw new TokenwireError("invalid_argument", "this server takes a prompt and not messages");
    return { model: name, runnable: input.runnable, input: { ...request.variables, [inputVariable]: request.prompt } };
  };
}
