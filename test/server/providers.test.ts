import { mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterEach, describe, expect, it } from "vitest";
import { Code, ConnectError, createClient } from "@connectrpc/connect";
import { createGrpcTransport } from "@connectrpc/connect-node";
import { FinishReason, TokenService } from "../../gen/tokenwire/v1/token_service_pb.js";
import { startFakeAnthropic, textTokens, thinkingTokens, type FakeAnthropic } from "../fixtures/fake-anthropic.ts";
import { defaultTokens, startFakeOpenAI, type FakeOpenAI } from "../fixtures/fake-openai.ts";
import { startTokenwireProcess, type TokenwireProcess } from "../fixtures/tokenwire-process.ts";
import { closedPort } from "../support/free-port.ts";

let anthropic: FakeAnthropic | undefined;
let openai: FakeOpenAI | undefined;
let server: TokenwireProcess | undefined;
afterEach(async () => {
  await server?.stop();
  await Promise.all([anthropic?.close(), openai?.close()]);
  server = anthropic = openai = undefined;
});

const anthropicKey = "sk-ant-test-key-0123456789";
const unreachableKey = "sk-unreachable-key-0123456789";
const claudeModels = ["claude-text", "claude-thinking", "claude-tool", "claude-max-tokens"];

/** Reads a StreamTokens call to its end: its events by kind, and the error that ended it. */
async function read(stream: AsyncIterable<{ event: { case?: string; value?: unknown } }>) {
  const seen = { text: "", reasoning: "", toolCalls: [] as { name: string; argsJson: string }[], finishReason: undefined as FinishReason | undefined, model: "", error: undefined as ConnectError | undefined };
  try {
    for await (const { event } of stream) {
      const value = event.value as { model: string; text: string; name: string; argsJson: string; finishReason: FinishReason };
      if (event.case === "started") seen.model = value.model;
      if (event.case === "delta") seen.text += value.text;
      if (event.case === "reasoning") seen.reasoning += value.text;
      if (event.case === "toolCall") seen.toolCalls.push({ name: value.name, argsJson: value.argsJson });
      if (event.case === "finished") seen.finishReason = value.finishReason;
    }
  } catch (reason) {
    seen.error = ConnectError.from(reason);
  }
  return seen;
}

describe("npm start with a models file", () => {
  it("should serve Anthropic and an OpenAI-compatible server side by side, each request routed by its model name", async () => {
    [anthropic, openai] = await Promise.all([startFakeAnthropic(), startFakeOpenAI()]);
    const dir = mkdtempSync(join(tmpdir(), "tokenwire-models-"));
    const modelsFile = join(dir, "models.json");
    writeFileSync(
      modelsFile,
      JSON.stringify({
        defaultModel: "claude-text",
        providers: [
          { name: "claude", type: "anthropic", baseUrl: anthropic.url, apiKeyEnv: "TEST_ANTHROPIC_KEY", models: claudeModels },
          { name: "vllm", type: "openai", baseUrl: openai.url, models: ["gpt-test"], maxRetries: 0 },
          { name: "down", type: "openai", baseUrl: `http://127.0.0.1:${await closedPort()}/v1`, apiKeyEnv: "TEST_DOWN_KEY", models: ["unreachable"], maxRetries: 0 },
        ],
      }),
    );
    server = await startTokenwireProcess({ env: { TOKENWIRE_MODELS_FILE: modelsFile, TEST_ANTHROPIC_KEY: anthropicKey, TEST_DOWN_KEY: unreachableKey } });
    const client = createClient(TokenService, createGrpcTransport({ baseUrl: server.url }));
    const ask = (model: string) => read(client.streamTokens({ generation: { model, input: { case: "prompt", value: "What is the weather in Paris?" } } }));

    expect(await client.listModels({})).toMatchObject({
      models: [...claudeModels, "gpt-test", "unreachable"].map((name) => ({ name })),
      defaultModel: "claude-text",
      acceptsAnyModel: false,
    });

    // Both upstreams at once: each stream whole, from its own server.
    const [claude, compatible, byDefault] = await Promise.all([ask("claude-text"), ask("gpt-test"), ask("")]);
    expect(claude).toMatchObject({ model: "claude-text", text: textTokens.join(""), finishReason: FinishReason.STOP, error: undefined });
    expect(compatible).toMatchObject({ model: "gpt-test", text: defaultTokens.join(""), finishReason: FinishReason.STOP, error: undefined });
    expect(byDefault).toMatchObject({ model: "claude-text", text: textTokens.join("") });
    expect(openai.requests.map((r) => r.body.model)).toEqual(["gpt-test"]);
    expect(anthropic.requests.map((r) => r.body.model)).toEqual(["claude-text", "claude-text"]);
    expect(anthropic.requests.every((r) => r.apiKey === anthropicKey)).toBe(true);

    expect(await ask("claude-thinking")).toMatchObject({ reasoning: thinkingTokens.join(""), text: textTokens.join(""), finishReason: FinishReason.STOP });
    expect(await ask("claude-tool")).toMatchObject({ toolCalls: [{ name: "get_weather", argsJson: '{"city": "Paris"}' }], finishReason: FinishReason.TOOL_CALLS });
    expect(await ask("claude-max-tokens")).toMatchObject({ text: textTokens.slice(0, 3).join(""), finishReason: FinishReason.LENGTH });
    expect((await ask("gpt-nope")).error?.code).toBe(Code.NotFound);

    // A server that cannot be reached: unavailable for the caller, its cause in the log, its key nowhere.
    expect((await ask("unreachable")).error?.code).toBe(Code.Unavailable);
    await expect.poll(() => server!.output.join("\n")).toMatch(/model server unreachable: ECONNREFUSED at 127\.0\.0\.1:\d+/);
    const logged = server.output.map((line) => JSON.parse(line) as { msg: string; provider?: string; cause?: unknown }).find((line) => line.msg.startsWith("model server unreachable"));
    expect(logged).toMatchObject({ provider: "down", cause: { code: "ECONNREFUSED" } });
    expect(server.output.join("\n")).not.toContain(unreachableKey);
    expect(server.output.join("\n")).not.toContain(anthropicKey);
  });
});
