import { describe, expect, it } from "vitest";
import { checkSettingNames } from "../../src/config/check-setting-names.ts";
import { ConfigError } from "../../src/config/config-error.ts";
import { writeModelsFile } from "../support/models-file.ts";

describe("checkSettingNames()", () => {
  it.each([
    [{ TOKENWIRE_API_KEY_FILE: "keys.json" }, "TOKENWIRE_API_KEY_FILE is not a setting: did you mean TOKENWIRE_API_KEYS_FILE?"],
    [{ TOKENWIRE_MAX_STREAM: "64" }, "TOKENWIRE_MAX_STREAM is not a setting: did you mean TOKENWIRE_MAX_STREAMS?"],
    [{ TOKENWIRE_SHUTDOWN_GRACE: "5000" }, "TOKENWIRE_SHUTDOWN_GRACE is not a setting: did you mean TOKENWIRE_SHUTDOWN_GRACE_MS?"],
    [{ TOKENWIRE_TEMPERATURE: "0.2" }, "TOKENWIRE_TEMPERATURE is not a setting: see the configuration table"],
    [{ TOKENWIRE_PORT: "8080" }, "TOKENWIRE_PORT is not a setting: did you mean PORT?"],
    [{ OPENAI_BASEURL: "http://127.0.0.1:11434/v1" }, "OPENAI_BASEURL is not a setting: did you mean OPENAI_BASE_URL?"],
    [{ REDIS_URI: "redis://127.0.0.1:6379" }, "REDIS_URI is not a setting: did you mean REDIS_URL?"],
    [{ ANTHROPIC_APIKEY: "sk-ant" }, "ANTHROPIC_APIKEY is not a setting: did you mean ANTHROPIC_API_KEY?"],
  ])("should refuse %j, naming the setting meant", (env, message) => {
    expect(() => checkSettingNames(env)).toThrow(new ConfigError(message));
  });

  it("should name every misspelt variable in one line", () => {
    expect(() => checkSettingNames({ TOKENWIRE_WORKER: "2", OPENAI_MODLE: "gpt-4o", PORT: "8080" })).toThrow(
      new ConfigError("OPENAI_MODLE is not a setting: did you mean OPENAI_MODEL?; TOKENWIRE_WORKER is not a setting: did you mean TOKENWIRE_WORKERS?"),
    );
  });

  it("should take the settings, the command line's, and other tools' variables", () => {
    const env = {
      PORT: "8080",
      TOKENWIRE_MAX_STREAMS: "64",
      TOKENWIRE_API_KEY: "sk-caller",
      TOKENWIRE_URL: "http://127.0.0.1:8080",
      TOKENWIRE_CLUSTER_WORKER: "1",
      OPENAI_ORG_ID: "org-1",
      OPENAI_PROJECT_ID: "proj-1",
      REDIS_PASSWORD: "secret",
      REDIS_HOST: "cache",
      HOME: "/home/me",
    };
    expect(() => checkSettingNames(env)).not.toThrow();
  });

  it("should take the variables Kubernetes gives a pod for a service named tokenwire", () => {
    const env = {
      TOKENWIRE_SERVICE_HOST: "10.0.0.7",
      TOKENWIRE_SERVICE_PORT: "8080",
      TOKENWIRE_SERVICE_PORT_HTTP: "8080",
      TOKENWIRE_PORT: "tcp://10.0.0.7:8080",
      TOKENWIRE_PORT_8080_TCP: "tcp://10.0.0.7:8080",
      TOKENWIRE_PORT_8080_TCP_PROTO: "tcp",
      TOKENWIRE_PORT_8080_TCP_PORT: "8080",
      TOKENWIRE_PORT_8080_TCP_ADDR: "10.0.0.7",
    };
    expect(() => checkSettingNames(env)).not.toThrow();
  });

  it("should take the variables a models file names for its keys", () => {
    const path = writeModelsFile({ providers: [{ name: "vllm", type: "openai", baseUrl: "http://127.0.0.1:8000/v1", apiKeyEnv: "TOKENWIRE_VLLM_KEY", models: ["m"] }] });
    expect(() => checkSettingNames({ TOKENWIRE_MODELS_FILE: path, TOKENWIRE_VLLM_KEY: "sk-vllm" })).not.toThrow();
    expect(() => checkSettingNames({ TOKENWIRE_MODELS_FILE: path, TOKENWIRE_VLM_KEY: "sk-vllm" })).toThrow(/^TOKENWIRE_VLM_KEY is not a setting/);
  });
});
