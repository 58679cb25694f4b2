import { execFile } from "node:child_process";
import { promisify } from "node:util";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { HumanMessage } from "@langchain/core/messages";
import { localReply } from "../../../src/models/local-chat-model.ts";
import { repoRoot, startTokenwireProcess, type TokenwireProcess } from "../../fixtures/tokenwire-process.ts";
import { codeBlock } from "../../support/docs.ts";
import { deltaText, responseEventsOf } from "./response-events.ts";

const run = promisify(execFile);
const shownUrl = "http://127.0.0.1:8080";
const section = "## tokenwireResponsesHandler()";
const expected = localReply([new HumanMessage("Write a haiku about wires")]);

// npm start itself, on its local demo model at full speed.
let server: TokenwireProcess;
beforeAll(async () => {
  server = await startTokenwireProcess({ env: { TOKENWIRE_LOCAL_TOKENS_PER_SECOND: "0" } });
});
afterAll(() => server?.stop());

describe("the examples of the Responses API in docs/openai.md, against npm start", () => {
  it("should stream the local model's reply to the curl command, ending with response.completed", async () => {
    const { stdout } = await run("sh", ["-c", codeBlock("docs/openai.md", section, "sh").trim().replace(shownUrl, server.url)]);
    const events = await responseEventsOf([new TextEncoder().encode(stdout)]);
    expect(deltaText(events)).toBe(expected);
    expect(events.at(-1)).toMatchObject({ type: "response.completed", response: { status: "completed", model: "local" } });
  });

  it("should print the local model's reply from the AI SDK example", async () => {
    const code = codeBlock("docs/openai.md", section, "ts").replace(shownUrl, server.url);
    const { stdout } = await run(process.execPath, ["--input-type=module", "-e", code], { cwd: repoRoot });
    expect(stdout).toBe(expected);
  });
});
