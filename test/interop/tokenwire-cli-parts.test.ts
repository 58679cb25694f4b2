import { execFile } from "node:child_process";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { answerTokens, reasoningTokens, startFakeOpenAI, type FakeOpenAI } from "../fixtures/fake-openai.ts";
import { runTokenwireCli, type CliRun } from "../fixtures/tokenwire-cli.ts";
import { projectNode, repoRoot, startTokenwireProcess, type TokenwireProcess } from "../fixtures/tokenwire-process.ts";
import { getWeather, weatherIn } from "../support/agents.ts";

// A server process whose `agent` is a ReAct agent with the weather tool and whose `reasoning` model streams its
// reasoning, both on the fake upstream: the parts that `npm start`'s plain chat model never streams.
let fake: FakeOpenAI;
let server: TokenwireProcess;
beforeAll(async () => {
  fake = await startFakeOpenAI();
  server = await startTokenwireProcess({ upstreamUrl: fake.url, script: "test/fixtures/agent-server.ts" });
});
afterAll(async () => {
  await server?.stop();
  await fake?.close();
});

const tokenwire = (args: string[]): Promise<CliRun> => runTokenwireCli(args, { url: server.url });

const question = "What is the weather in Paris?";
const toolCallLine = `→ ${getWeather.name}({"city":"Paris"})`;
const toolResultLine = `← ${weatherIn("Paris")}`;
const agentAnswer = `The tool says: ${weatherIn("Paris")}`;

describe("tokenwire ask's text, apart from what goes with it", () => {
  it("should print an agent's answer on stdout, and its tool call and the tool's result on stderr", async () => {
    expect(await tokenwire(["ask", "-m", "agent", question])).toEqual({ code: 0, stdout: `${agentAnswer}\n`, stderr: `${toolCallLine}\n${toolResultLine}\n` });
  });

  it("should print a model's reasoning on stderr, ended by a line break there, and its answer on stdout", async () => {
    expect(await tokenwire(["ask", "-m", "reasoning", "hi"])).toEqual({ code: 0, stdout: `${answerTokens.join("")}\n`, stderr: `${reasoningTokens.join("")}\n` });
  });

  it("should dim the asides on a terminal and leave the answer as it is", async () => {
    const screen = await onTerminal(["ask", "-m", "agent", question]);
    expect(screen).toBe(`\x1b[2m${toolCallLine}\x1b[22m\n\x1b[2m${toolResultLine}\x1b[22m\n${agentAnswer}\n`);
  });
});

describe("tokenwire ask --events", () => {
  it("should print every part of an agent's stream with its origin: the graph node and the run", async () => {
    const run = await tokenwire(["ask", "--events", "-m", "agent", question]);
    expect(run).toMatchObject({ code: 0, stderr: "" });
    const events = run.stdout.trim().split("\n").map((line) => JSON.parse(line) as Record<string, unknown> & { origin?: { node: string; runId: string } });
    const kindOf = (event: object) => Object.keys(event).find((key) => key !== "sequence" && key !== "origin");
    expect([...new Set(events.map(kindOf))]).toEqual(["started", "toolCallDelta", "toolCall", "toolResult", "delta", "finished"]);
    const of = (kind: string) => events.filter((event) => kindOf(event) === kind);
    expect(of("toolCall")).toEqual([{ sequence: expect.any(String), toolCall: { id: expect.stringMatching(/^call_/), name: getWeather.name, argsJson: '{"city":"Paris"}' }, origin: { node: "agent", runId: expect.any(String) } }]);
    // Zero fields are printed too (isError: false), so that a reader needs no proto3 defaults.
    expect(of("toolResult")).toEqual([{ sequence: expect.any(String), toolResult: { toolCallId: expect.stringMatching(/^call_/), name: getWeather.name, content: weatherIn("Paris"), isError: false }, origin: { node: "tools", runId: expect.any(String) } }]);
    expect(of("delta").every((event) => event.origin?.node === "agent")).toBe(true);
    expect(of("delta").map((event) => (event.delta as { text: string }).text).join("")).toBe(agentAnswer);
    expect(events[0]).not.toHaveProperty("origin");
  });

  it("should print reasoning as its own events", async () => {
    const run = await tokenwire(["ask", "--events", "-m", "reasoning", "hi"]);
    const events = run.stdout.trim().split("\n").map((line) => JSON.parse(line) as { reasoning?: { text: string }; delta?: { text: string } });
    expect(events.map((event) => event.reasoning?.text ?? "").join("")).toBe(reasoningTokens.join(""));
    expect(events.map((event) => event.delta?.text ?? "").join("")).toBe(answerTokens.join(""));
  });
});

// Runs the CLI under script(1), which gives it a terminal for stdout and stderr, and resolves with what the
// terminal got, its line ends as the program wrote them.
function onTerminal(args: string[]): Promise<string> {
  const command = [projectNode, "bin/tokenwire.js", ...args].map((word) => `'${word.replaceAll("'", "'\\''")}'`).join(" ");
  const env = { PATH: process.env.PATH ?? "", TOKENWIRE_URL: server.url, TERM: "xterm" };
  return new Promise((resolve, reject) => {
    execFile("script", ["-qec", command, "/dev/null"], { cwd: repoRoot, env }, (error, stdout) => (error ? reject(error) : resolve(stdout.replaceAll("\r\n", "\n"))));
  });
}
