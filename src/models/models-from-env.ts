import { createModelCatalog } from "./model-catalog.ts";
import { seedInputVariable, seedTemplate } from "./seed-template.ts";
import type { ModelResolver } from "../core/model-resolver.ts";
import type { Logger } from "../core/logger.ts";
import type { ProviderConfig } from "../config/models-file.ts";
import { modelsSettingsFromEnv } from "../config/models-settings.ts";
import { providerModelFactory, upstreamOf } from "./provider-model-factory.ts";

const templates = { seed: { template: seedTemplate, inputVariable: seedInputVariable } };

/** One upstream and the names it serves, for the startup line. */
export interface ProviderDescription {
  name: string;
  type: ProviderConfig["type"];
  /** Where its requests go, without credentials; none for the local demo model. */
  upstream: string | undefined;
  /** The names it serves; empty when any name passes through. */
  models: string[];
}

/** Where the models come from, read from the environment by {@link modelsFromEnv}. */
export interface ModelsDescription {
  /** The default model's provider: `local` for the built-in demo model, `openai` (OpenAI or a compatible server) or `anthropic`. */
  provider: ProviderConfig["type"];
  defaultModel: string;
  /** The default model's upstream, without credentials, for the startup line. */
  upstream: string | undefined;
  /** Every upstream, in the order configured. */
  providers: ProviderDescription[];
  /** The resolver over these models, with the seed's template offered as `seed`. */
  resolve: ModelResolver;
}

/** Options of {@link modelsFromEnv}. */
export interface ModelsFromEnvOptions {
  /** Where a model server that cannot be reached is logged, with its cause. */
  logger?: Logger;
}

/**
 * The models the environment configures (see {@link modelsSettingsFromEnv}):
 * `TOKENWIRE_MODELS_FILE`'s providers, or the short form's one upstream from
 * `OPENAI_*` and `TOKENWIRE_MODELS`, or the local demo model. Each model name
 * routes to the one provider that lists it; a name no provider lists is
 * `not_found`, unless `TOKENWIRE_MODELS=*` lets any through.
 */
export function modelsFromEnv(env: Record<string, string | undefined> = process.env, options: ModelsFromEnvOptions = {}): ModelsDescription {
  const { providers, defaultModel, anyModel } = modelsSettingsFromEnv(env);
  const factories = providers.map((provider) => providerModelFactory(provider, options));
  const byModel = new Map(providers.flatMap((provider, i) => provider.models.map((model) => [model, factories[i]!] as const)));
  const described = providers.map((provider) => ({ name: provider.name, type: provider.type, upstream: upstreamOf(provider), models: provider.models }));
  const home = described.find((provider) => provider.models.includes(defaultModel)) ?? described[0]!;
  return {
    provider: home.type,
    defaultModel,
    upstream: home.upstream,
    providers: described,
    resolve: createModelCatalog({
      defaultModel,
      allowedModels: anyModel ? undefined : [...byModel.keys()],
      // A name no provider lists gets this far only in the short form (any name allowed, or its default left out of
      // TOKENWIRE_MODELS), whose one provider serves it.
      createModel: (settings) => (byModel.get(settings.model) ?? factories[0]!)(settings),
      templates,
    }),
  };
}
