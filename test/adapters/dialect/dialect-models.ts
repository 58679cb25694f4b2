import { RunnableLambda } from "@langchain/core/runnables";
import {
  createModelCatalog,
  createTokenwire,
  messagesInput,
  openAIModelFactory,
  type GenerationRequest,
  type ModelResolver,
  type ResolvedRun,
  type Tokenwire,
  type TokenwireOptions,
} from "../../../src/index.ts";
import type { FakeOpenAI } from "../../fixtures/fake-openai.ts";
import { agentKinds, fakeChatModel, fakeReasoningModel } from "../../support/agents.ts";

/** What `fails-midway` says before it fails with an upstream 503. */
export const saidBeforeFailing = ["Hello", " there"];

/** The names {@link dialectResolver} offers; any other is `not_found`. */
export const dialectModels = ["echo", "agent", "reasoning", "fails-midway", "paced-20", "status-429", "status-503"];

/**
 * A resolver whose model names pick a runnable: `agent` (a ReAct agent calling
 * `get_weather`), `reasoning` (DeepSeek's model, which streams its reasoning),
 * `fails-midway` (some text, then an upstream 503), the others the fake
 * upstream's model of that name as `npm start` builds it.
 */
export function dialectResolver(upstream: FakeOpenAI): ModelResolver {
  const catalog = createModelCatalog({ defaultModel: "echo", allowedModels: dialectModels, createModel: openAIModelFactory({ baseURL: upstream.url, maxRetries: 0 }) });
  const agent = agentKinds[0].build(fakeChatModel(upstream, "agent"));
  const failing = RunnableLambda.from(async function* () {
    for (const text of saidBeforeFailing) yield text;
    throw Object.assign(new Error("upstream failed"), { status: 503 });
  });
  const resolve = (request: GenerationRequest): ResolvedRun | Promise<ResolvedRun> => {
    const { model = "echo" } = request;
    const input = messagesInput(request);
    if (model === "agent") return { model, runnable: agent as unknown as ResolvedRun["runnable"], input };
    if (model === "reasoning") return { model, runnable: fakeReasoningModel(upstream) as unknown as ResolvedRun["runnable"], input: input.messages };
    if (model === "fails-midway") return { model, runnable: failing as unknown as ResolvedRun["runnable"], input: input.messages };
    return catalog(request);
  };
  return Object.assign(resolve, { models: catalog.models });
}

/** A service over {@link dialectResolver}. */
export function dialectTokenwire(upstream: FakeOpenAI, options: Partial<TokenwireOptions> = {}): Tokenwire {
  return createTokenwire({ resolve: dialectResolver(upstream), ...options });
}
