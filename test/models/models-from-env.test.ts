import { describe, expect, it } from "vitest";
import { modelsFromEnv } from "../../src/models/models-from-env.ts";

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

  it("should describe the upstream without the credentials its URL may carry", () => {
    const models = modelsFromEnv({ OPENAI_BASE_URL: "https://user:secret@llm.internal:8443/v1" });
    expect(models.upstream).toBe("https://llm.internal:8443/v1");
  });

  it("should offer the seed's template as seed", async () => {
    const run = await modelsFromEnv({}).resolve({ prompt: "hello", template: "seed" });
    expect(run.input).toEqual({ human_input: "hello" });
  });
});
