import { execFile } from "node:child_process";
import { promisify } from "node:util";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { HumanMessage } from "@langchain/core/messages";
import { localReply } from "../../src/models/local-chat-model.ts";
import { frameGroups } from "../adapters/dialect/sse-events.ts";
import { repoRoot, startTokenwireProcess, type TokenwireProcess } from "../fixtures/tokenwire-process.ts";
import { docSection } from "../support/docs.ts";

const run = promisify(execFile);
const shownUrl = "http://127.0.0.1:8080";

/** The commands of the README's table of wires: the code of each row's last cell, its `\|` unescaped. */
const commands = [...docSection("README.md", "## Wires").matchAll(/^\|.*\| `((?:npx|curl) [^`]+)` \|$/gm)].map((match) => match[1]!.replaceAll("\\|", "|"));

// npm start's defaults, but for the local demo model's pace: it streams at full speed.
let server: TokenwireProcess;
beforeAll(async () => {
  server = await startTokenwireProcess({ env: { TOKENWIRE_LOCAL_TOKENS_PER_SECOND: "0" } });
});
afterAll(() => server?.stop());

/** The answer's text in what a command printed: the text itself, or what the SSE frames of each dialect carry. */
async function answerIn(stdout: string): Promise<string> {
  if (!stdout.startsWith("id: ")) return stdout.replaceAll("|", "").trimEnd();
  let text = "";
  for await (const { data } of frameGroups([new TextEncoder().encode(stdout)])) {
    for (const frame of data as { choices?: { delta: { content?: string } }[]; type?: string; delta?: string }[]) {
      const isDelta = frame.type === "text-delta" || frame.type === "response.output_text.delta";
      text += frame.choices?.[0]?.delta.content ?? (isDelta ? frame.delta : "");
    }
  }
  return text;
}

describe("the README's table of wires", () => {
  it("should show a command for every wire but the in-process one", () => {
    expect(commands).toHaveLength(7);
  });

  it.each(commands)("should answer %s with the local demo model's reply", async (command) => {
    const { stdout } = await run("sh", ["-c", command.replace(shownUrl, server.url)], { cwd: repoRoot, env: { PATH: process.env.PATH, TOKENWIRE_URL: server.url } });
    expect(await answerIn(stdout)).toBe(localReply([new HumanMessage("hi")]));
  });
});
