import { codeBlock } from "../support/docs.ts";
import { describe, expect, it } from "vitest";
import { ChatAnthropic } from "@langchain/anthropic";
import { ChatOpenAI } from "@langchain/openai";
import { ConfigError } from "../../src/config/config-error.ts";
import { modelsFromEnv } from "../../src/models/models-from-env.ts";
import { LocalChatModel } from "../../src/models/local-chat-model.ts";
import { threeProviders, writeModelsFile } from "../support/models-file.ts";
import { streamTokens } from "../../src/core/token-stream.ts";
import { startFakeResponses, summaryParts } from "../fixtures/fake-responses.ts";
import { collect } from "../support/collect.ts";

describe("modelsFromEnv()", () => {
  it("should fall back to the local demo model when no upstream is configured", async () => {
    const models = modelsFromEnv({});
    expect(models).toMatchObject({ provider: "local", defaultModel: "local", upstream: undefined });
    expect((await models.resolve({ prompt: "hi" })).model).toBe("local");
    expect(() => models.resolve({ prompt: "hi", model: "gpt-4o" })).toThrow(expect.objectContaining({ code: "not_found" }));
  });

  it("should use an OpenAI-compatible server, allowing only the default model unless told otherwise", async () => {
    const models = modelsFromEnv({ OPENAI_BASE_URL: "http://127.0.0.1:11434/v1", OPENAI_MODEL: "llama3" });
    expect(models).toMatchObject({ provider: "openai", defaultModel: "llama3" });
    expect((await models.resolve({ prompt: "hi" })).model).toBe("llama3");
    expect(() => models.resolve({ prompt: "hi", model: "other" })).toThrow(expect.objectContaining({ code: "not_found" }));
  });

  it("should read the allowed names from TOKENWIRE_MODELS, with * for any", async () => {
    const listed = modelsFromEnv({ OPENAI_API_KEY: "sk-x", TOKENWIRE_MODELS: "a, b" });
    expect((await listed.resolve({ prompt: "hi", model: "b" })).model).toBe("b");
    const any = modelsFromEnv({ OPENAI_API_KEY: "sk-x", TOKENWIRE_MODELS: "*" });
    expect((await any.resolve({ prompt: "hi", model: "whatever" })).model).toBe("whatever");
  });

  it("should describe the upstream without the query its URL may carry", () => {
    const models = modelsFromEnv({ OPENAI_BASE_URL: "https://llm.internal:8443/v1?api-version=2" });
    expect(models.upstream).toBe("https://llm.internal:8443/v1");
  });

  it.each([
    [{ TOKENWIRE_LOCAL_TOKENS_PER_SECOND: "fast" }, 'TOKENWIRE_LOCAL_TOKENS_PER_SECOND must be a number of 0 or more, not "fast"'],
    [{ OPENAI_API_KEY: "sk-x", OPENAI_MAX_RETRIES: "-2" }, 'OPENAI_MAX_RETRIES must be a whole number of 0 or more, not "-2"'],
    [{ OPENAI_BASE_URL: "localhost:11434" }, "OPENAI_BASE_URL must be an http:// or https:// URL, such as http://127.0.0.1:11434/v1"],
    [{ OPENAI_BASE_URL: "https://user:sk-secret@llm.internal/v1" }, "OPENAI_BASE_URL carries a user name or password, which fetch refuses to send: put the key in OPENAI_API_KEY and give OPENAI_BASE_URL without them"],
    [{ OPENAI_BASE_URL: "https://:sk-secret@llm.internal/v1" }, "OPENAI_BASE_URL carries a user name or password, which fetch refuses to send: put the key in OPENAI_API_KEY and give OPENAI_BASE_URL without them"],
    [{ OPENAI_BASE_URL: "http://127.0.0.1:11434/v1#models" }, "OPENAI_BASE_URL ends in a fragment (#…), which would cut every request's path: give it without one"],
    [{ OPENAI_API_KEY: "sk-secret\n" }, "OPENAI_API_KEY holds a space, a line break or a character an HTTP header cannot carry: set it to the key alone"],
    [{ OPENAI_API_KEY: "sk-secret…" }, "OPENAI_API_KEY holds a space, a line break or a character an HTTP header cannot carry: set it to the key alone"],
    [{ OPENAI_API_KEY: "sk-x", OPENAI_API: "sk-secret" }, "OPENAI_API must be chat or responses: chat for chat completions, which every OpenAI-compatible server speaks, responses for OpenAI's Responses API"],
  ])("should refuse %j with a ConfigError that names the setting", (env, message) => {
    expect(() => modelsFromEnv(env)).toThrow(new ConfigError(message));
  });

  it("should call OpenAI's Responses API with OPENAI_API=responses, and stream a reasoning model's summary", async () => {
    const fake = await startFakeResponses();
    try {
      const models = modelsFromEnv({ OPENAI_BASE_URL: fake.url, OPENAI_MODEL: "o4-mini", OPENAI_API: "responses", OPENAI_MAX_RETRIES: "0" });
      const run = await models.resolve({ prompt: "hi" });
      const { events, error } = await collect(streamTokens(run.runnable, run.input));
      expect(error).toBeUndefined();
      expect(events.flatMap((e) => (e.type === "reasoning" ? [e.text] : [])).join("")).toBe(summaryParts.map((part) => part.join("")).join("\n\n"));
      expect(fake.requests.map((r) => r.body.model)).toEqual(["o4-mini"]);
    } finally {
      await fake.close();
    }
  });

  it("should offer the seed's template as seed", async () => {
    const run = await modelsFromEnv({}).resolve({ prompt: "hello", template: "seed" });
    expect(run.input).toEqual({ human_input: "hello" });
  });
});

describe("modelsFromEnv() with TOKENWIRE_MODELS_FILE", () => {
  const env = { TOKENWIRE_MODELS_FILE: writeModelsFile(threeProviders), OPENAI_API_KEY: "sk-openai", ANTHROPIC_API_KEY: "sk-ant" };

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
    const models = modelsFromEnv({ TOKENWIRE_MODELS_FILE: writeModelsFile({ providers: [{ type: "local", models: ["demo"] }] }) });
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
    const path = writeModelsFile({ providers: [{ name: "ollama", type: "openai", baseUrl, models: ["m"] }] });
    expect(() => modelsFromEnv({ TOKENWIRE_MODELS_FILE: path })).toThrow(message);
    expect(() => modelsFromEnv({ TOKENWIRE_MODELS_FILE: path })).not.toThrow(/secret/);
  });

  it("should refuse the short form's upstream variables beside the file", () => {
    expect(() => modelsFromEnv({ ...env, OPENAI_BASE_URL: "http://127.0.0.1:8000/v1", TOKENWIRE_MODELS: "a" })).toThrow(
      new ConfigError("TOKENWIRE_MODELS_FILE replaces OPENAI_BASE_URL and TOKENWIRE_MODELS: unset them and describe that upstream in the file"),
    );
  });
});

describe("the models file of docs/providers.md", () => {
  it("should be one that npm start accepts", async () => {
    const shown = codeBlock("docs/providers.md", "# Providers: the models file", "json");
    const models = modelsFromEnv({ TOKENWIRE_MODELS_FILE: writeModelsFile(shown), OPENAI_API_KEY: "sk-openai", ANTHROPIC_API_KEY: "sk-ant" });
    expect(models.resolve.models?.models).toEqual(["claude-sonnet-4-5", "claude-haiku-4-5", "gpt-4o-mini", "gpt-4o", "o4-mini", "qwen2.5-7b-instruct"]);
    expect((await models.resolve({ prompt: "hi", model: "o4-mini" })).runnable).toMatchObject({ useResponsesApi: true });
    expect((await models.resolve({ prompt: "hi" })).runnable).toBeInstanceOf(ChatAnthropic);
  });
});
