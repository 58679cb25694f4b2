import { execFile } from "node:child_process";
import { fileURLToPath } from "node:url";
import { promisify } from "node:util";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { HumanMessage } from "@langchain/core/messages";
import { modelsFromEnv } from "../../../src/index.ts";
import { localReply } from "../../../src/models/local-chat-model.ts";
import { createTokenwireServer, type TokenwireServer } from "../../../src/server/index.ts";
import { codeBlock } from "../../support/docs.ts";
import { frameGroups } from "./sse-events.ts";

const run = promisify(execFile);
const repoRoot = fileURLToPath(new URL("../../../", import.meta.url));
const shownUrl = "http://127.0.0.1:8080";
const expected = localReply([new HumanMessage("Write a haiku about wires")]);

// A dialect's page, under `## <handler>`: its first sh block (the curl command) and its first ts block (the client).
function shownExamples(page: string, handler: string): { curl: string; client: string } {
  const block = (lang: string) => codeBlock(page, `## ${handler}`, lang);
  return { curl: block("sh").trim(), client: block("ts") };
}

let server: TokenwireServer;
let baseUrl = "";

// npm start's server on its local demo model, at full speed.
beforeAll(async () => {
  server = createTokenwireServer({ resolve: modelsFromEnv({ TOKENWIRE_LOCAL_TOKENS_PER_SECOND: "0" }).resolve });
  baseUrl = `http://127.0.0.1:${(await server.listen(0, "127.0.0.1")).port}`;
});
afterAll(() => server?.shutdown(100));

async function curlGroups(command: string) {
  const { stdout } = await run("sh", ["-c", command.replace(shownUrl, baseUrl)]);
  const groups = [];
  for await (const group of frameGroups([new TextEncoder().encode(stdout)])) groups.push(group);
  return { stdout, data: groups.flatMap((group) => group.data) };
}

async function runClient(code: string): Promise<string> {
  const { stdout } = await run(process.execPath, ["--input-type=module", "-e", code.replace(shownUrl, baseUrl)], { cwd: repoRoot });
  return stdout;
}

describe("the examples of the dialects' pages, against npm start's server", () => {
  it("should stream the local model's reply to the curl command of tokenwireOpenAIHandler()", async () => {
    const { curl } = shownExamples("docs/openai.md", "tokenwireOpenAIHandler()");
    const { stdout, data } = await curlGroups(curl);
    const text = data.map((chunk) => (chunk as { choices: { delta: { content?: string } }[] }).choices[0]?.delta.content ?? "").join("");
    expect(text).toBe(expected);
    expect(stdout.endsWith("data: [DONE]\n\n")).toBe(true);
  });

  it("should print the local model's reply from the openai client example", async () => {
    expect(await runClient(shownExamples("docs/openai.md", "tokenwireOpenAIHandler()").client)).toBe(expected);
  });

  it("should stream the local model's reply as text deltas to the curl command of tokenwireUIMessageHandler()", async () => {
    const { curl } = shownExamples("docs/ai-sdk.md", "tokenwireUIMessageHandler()");
    const { stdout, data } = await curlGroups(curl);
    const text = data.map((chunk) => (chunk.type === "text-delta" ? chunk.delta : "")).join("");
    expect(text).toBe(expected);
    expect(data.map((chunk) => chunk.type).at(-1)).toBe("finish");
    expect(stdout.endsWith("data: [DONE]\n\n")).toBe(true);
  });

  it("should print the local model's reply from the ai transport example", async () => {
    expect(await runClient(shownExamples("docs/ai-sdk.md", "tokenwireUIMessageHandler()").client)).toBe(`${expected}\n`);
  });
});
