import { mkdtempSync, writeFileSync } from "node:fs";
import { readFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { ChatAnthropic } from "@langchain/anthropic";
import { ChatOpenAI } from "@langchain/openai";
import { ConfigError } from "../../src/models/env-settings.ts";
import { readModelsFile } from "../../src/models/models-file.ts";
import { modelsFromEnv } from "../../src/models/models-from-env.ts";
import { LocalChatModel } from "../../src/models/local-chat-model.ts";

const dir = mkdtempSync(join(tmpdir(), "tokenwire-models-file-"));
let files = 0;
/** Writes a models file and returns its path. */
function modelsFile(content: unknown): string {
  const path = join(dir, `models-${files++}.json`);
  writeFileSync(path, typeof content === "string" ? content : JSON.stringify(content));
  return path;
}

const threeProviders = {
  defaultModel: "llama3.2",
  providers: [
    { type: "openai", api: "responses", models: ["gpt-4o-mini", "gpt-4o"] },
    { name: "ollama", type: "openai", baseUrl: "http://127.0.0.1:11434/v1", models: ["llama3.2"] },
    { type: "anthropic", models: ["claude-sonnet-4-5"], thinkingBudgetTokens: 2048 },
  ],
};

describe("readModelsFile()", () => {
  it("should read the providers, their models and the default", () => {
    expect(readModelsFile(modelsFile(threeProviders))).toEqual({
      defaultModel: "llama3.2",
      providers: [
        { name: "openai", type: "openai", api: "responses", models: ["gpt-4o-mini", "gpt-4o"] },
        { name: "ollama", type: "openai", baseUrl: "http://127.0.0.1:11434/v1", models: ["llama3.2"] },
        { name: "anthropic", type: "anthropic", models: ["claude-sonnet-4-5"], thinkingBudgetTokens: 2048 },
      ],
    });
  });

  it("should default to the first provider's first model", () => {
    expect(readModelsFile(modelsFile({ providers: threeProviders.providers })).defaultModel).toBe("gpt-4o-mini");
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
    ["thinking for OpenAI", { providers: [{ type: "openai", models: ["m"], thinkingBudgetTokens: 10 }] }, /providers\[0\]\.thinkingBudgetTokens is for anthropic providers only/],
    ["an API OpenAI has not", { providers: [{ type: "openai", models: ["m"], api: "assistants" }] }, /providers\[0\]\.api must be "chat" or "responses"/],
    ["an API for Anthropic", { providers: [{ type: "anthropic", models: ["m"], api: "responses" }] }, /providers\[0\]\.api is for openai providers only/],
  ])("should refuse %s with a ConfigError that names the file and the field", (_, content, message) => {
    const path = modelsFile(content);
    expect(() => readModelsFile(path)).toThrow(ConfigError);
    expect(() => readModelsFile(path)).toThrow(new RegExp(`^TOKENWIRE_MODELS_FILE=${path.replaceAll(".", "\\.")}: ${message.source}`));
  });

  it("should refuse a file it cannot read", () => {
    expect(() => readModelsFile(join(dir, "missing.json"))).toThrow(/cannot be read \(no such file\)/);
  });
});

describe("modelsFromEnv() with TOKENWIRE_MODELS_FILE", () => {
  const env = { TOKENWIRE_MODELS_FILE: modelsFile(threeProviders), OPENAI_API_KEY: "sk-openai", ANTHROPIC_API_KEY: "sk-ant" };

  it("should offer every provider's models and route each name to its provider", async () => {
    const models = modelsFromEnv(env);
    expect(models.resolve.models).toEqual({ models: ["gpt-4o-mini", "gpt-4o", "llama3.2", "claude-sonnet-4-5"], defaultModel: "llama3.2", acceptsAnyModel: false });
    expect(models).toMatchObject({ provider: "openai", defaultModel: "llama3.2", upstream: "http://127.0.0.1:11434/v1" });
    expect(models.providers.map((p) => [p.name, p.upstream])).toEqual([
      ["openai", "https://api.openai.com/v1"],
      ["ollama", "http://127.0.0.1:11434/v1"],
      ["anthropic", "https://api.anthropic.com"],
    ]);
    expect((await models.resolve({ prompt: "hi", model: "claude-sonnet-4-5" })).runnable).toBeInstanceOf(ChatAnthropic);
    expect((await models.resolve({ prompt: "hi", model: "gpt-4o" })).runnable).toBeInstanceOf(ChatOpenAI);
    expect((await models.resolve({ prompt: "hi", model: "gpt-4o" })).runnable).toMatchObject({ useResponsesApi: true });
    expect((await models.resolve({ prompt: "hi", model: "llama3.2" })).runnable).toMatchObject({ useResponsesApi: false });
    expect((await models.resolve({ prompt: "hi" })).model).toBe("llama3.2");
    expect(() => models.resolve({ prompt: "hi", model: "gpt-5" })).toThrow(expect.objectContaining({ code: "not_found" }));
  });

  it("should serve the local demo model as a provider", async () => {
    const models = modelsFromEnv({ TOKENWIRE_MODELS_FILE: modelsFile({ providers: [{ type: "local", models: ["demo"] }] }) });
    expect((await models.resolve({ prompt: "hi" })).runnable).toBeInstanceOf(LocalChatModel);
  });

  it("should refuse a provider whose key variable is not set, naming the variable and never a value", () => {
    expect(() => modelsFromEnv({ ...env, ANTHROPIC_API_KEY: "" })).toThrow(
      new ConfigError('provider "anthropic" takes its key from ANTHROPIC_API_KEY, which is not set: set it, or name another variable in apiKeyEnv'),
    );
  });

  it.each([
    ["no URL", "localhost:11434", 'the baseUrl of provider "ollama" must be an http:// or https:// URL'],
    ["credentials", "http://user:secret@127.0.0.1:11434/v1", 'the baseUrl of provider "ollama" carries a user name or password'],
  ])("should refuse a baseUrl with %s, never quoting it", (_, baseUrl, message) => {
    const path = modelsFile({ providers: [{ name: "ollama", type: "openai", baseUrl, models: ["m"] }] });
    expect(() => modelsFromEnv({ TOKENWIRE_MODELS_FILE: path })).toThrow(message);
    expect(() => modelsFromEnv({ TOKENWIRE_MODELS_FILE: path })).not.toThrow(/secret/);
  });

  it("should refuse the short form's upstream variables beside the file", () => {
    expect(() => modelsFromEnv({ ...env, OPENAI_BASE_URL: "http://127.0.0.1:8000/v1", TOKENWIRE_MODELS: "a" })).toThrow(
      new ConfigError("TOKENWIRE_MODELS_FILE replaces OPENAI_BASE_URL and TOKENWIRE_MODELS: unset them and describe that upstream in the file"),
    );
  });
});

describe("the README's models file", () => {
  it("should be one that npm start accepts", async () => {
    const readme = await readFile(new URL("../../README.md", import.meta.url), "utf8");
    const shown = /## Providers: the models file[\s\S]*?```json\n([\s\S]*?)```/.exec(readme)?.[1];
    const models = modelsFromEnv({ TOKENWIRE_MODELS_FILE: modelsFile(shown), OPENAI_API_KEY: "sk-openai", ANTHROPIC_API_KEY: "sk-ant" });
    expect(models.resolve.models?.models).toEqual(["claude-sonnet-4-5", "claude-haiku-4-5", "gpt-4o-mini", "gpt-4o", "o4-mini", "qwen2.5-7b-instruct"]);
    expect((await models.resolve({ prompt: "hi", model: "o4-mini" })).runnable).toMatchObject({ useResponsesApi: true });
    expect((await models.resolve({ prompt: "hi" })).runnable).toBeInstanceOf(ChatAnthropic);
  });
});
