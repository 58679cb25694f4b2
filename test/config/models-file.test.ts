import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { ConfigError } from "../../src/config/config-error.ts";
import { readModelsFile } from "../../src/config/models-file.ts";
import { modelsFileDir, threeProviders, writeModelsFile } from "../support/models-file.ts";

describe("readModelsFile()", () => {
  it("should read the providers, their models and the default", () => {
    expect(readModelsFile(writeModelsFile(threeProviders))).toEqual({
      defaultModel: "llama3.2",
      providers: [
        { name: "openai", type: "openai", api: "responses", models: ["gpt-4o-mini", "gpt-4o"] },
        { name: "ollama", type: "openai", baseUrl: "http://127.0.0.1:11434/v1", models: ["llama3.2"] },
        { name: "anthropic", type: "anthropic", models: ["claude-sonnet-4-5"], thinkingBudgetTokens: 2048 },
      ],
    });
  });

  it("should default to the first provider's first model", () => {
    expect(readModelsFile(writeModelsFile({ providers: threeProviders.providers })).defaultModel).toBe("gpt-4o-mini");
  });

  it.each([
    ["not JSON", "{", /is not JSON/],
    ["no providers", { providers: [] }, /it must hold \{"providers":\[…\]\} with one provider or more/],
    ["an unknown type", { providers: [{ type: "gemini", models: ["g"] }] }, /providers\[0\]\.type must be "openai", "anthropic", "local", not "gemini"/],
    ["no models", { providers: [{ type: "openai", models: [] }] }, /providers\[0\]\.models must list/],
    ["a key in apiKeyEnv", { providers: [{ type: "openai", apiKeyEnv: "sk-proj-123", models: ["m"] }] }, /providers\[0\]\.apiKeyEnv must name an environment variable/],
    ["a model listed twice", { providers: [{ type: "openai", models: ["m"] }, { name: "b", type: "openai", baseUrl: "http://h/v1", models: ["m"] }] }, /model "m" is listed by both "openai" and "b"/],
    ["two providers of one name", { providers: [{ type: "openai", models: ["a"] }, { type: "openai", models: ["b"] }] }, /two providers are named "openai"/],
    ["a default no provider serves", { defaultModel: "x", providers: [{ type: "openai", models: ["m"] }] }, /defaultModel "x" is not one of/],
    ["a misspelt field", { providers: [{ type: "openai", baseURL: "http://127.0.0.1:11434/v1", models: ["m"] }] }, /providers\[0\] has the unknown field "baseURL": did you mean "baseUrl"\?$/],
    ["a field of no kind it knows", { providers: [{ type: "openai", models: ["m"], region: "eu" }] }, /providers\[0\] has the unknown field "region": the fields are name, type, baseUrl, apiKeyEnv, models, maxRetries, timeoutMs, thinkingBudgetTokens, api$/],
    ["a misspelt field of the file", { default_model: "m", providers: [{ type: "openai", models: ["m"] }] }, /it has the unknown field "default_model": did you mean "defaultModel"\?$/],
    ["a misspelt providers", { provider: [{ type: "openai", models: ["m"] }] }, /it has the unknown field "provider": did you mean "providers"\?$/],
    ["thinking for OpenAI", { providers: [{ type: "openai", models: ["m"], thinkingBudgetTokens: 10 }] }, /providers\[0\]\.thinkingBudgetTokens is for anthropic providers only/],
    ["an API OpenAI has not", { providers: [{ type: "openai", models: ["m"], api: "assistants" }] }, /providers\[0\]\.api must be "chat" or "responses"/],
    ["an API for Anthropic", { providers: [{ type: "anthropic", models: ["m"], api: "responses" }] }, /providers\[0\]\.api is for openai providers only/],
  ])("should refuse %s with a ConfigError that names the file and the field", (_, content, message) => {
    const path = writeModelsFile(content);
    expect(() => readModelsFile(path)).toThrow(ConfigError);
    expect(() => readModelsFile(path)).toThrow(new RegExp(`^TOKENWIRE_MODELS_FILE=${path.replaceAll(".", "\\.")}: ${message.source}`));
  });

  it("should refuse a file it cannot read", () => {
    expect(() => readModelsFile(join(modelsFileDir, "missing.json"))).toThrow(/cannot be read \(no such file\)/);
  });
});
