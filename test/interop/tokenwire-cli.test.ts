import { describe, expect, it } from "vitest";
import { defaultTokens } from "../fixtures/fake-openai.ts";
import { runTokenwireCli, type CliRun, type CliRunOptions } from "../fixtures/tokenwire-cli.ts";
import { interopModels, isTokenSplit, useInteropServer } from "./use-interop-server.ts";

const stack = useInteropServer();

/** Runs `bin/tokenwire.js` against the server process. */
function tokenwire(args: string[], onStdout?: CliRunOptions["onStdout"]): Promise<CliRun> {
  return runTokenwireCli(args, { url: stack.server.url, onStdout });
}

describe("tokenwire ask", () => {
  it.each(["connect", "grpc", "grpc-web"])("should print the reply's tokens over --protocol %s", async (protocol) => {
    const run = await tokenwire(["ask", "--protocol", protocol, "hello", "there"]);
    expect(run).toEqual({ code: 0, stdout: `${defaultTokens.join("")}\n`, stderr: "" });
  });

  it("should print the seed's Send answers separated by --sep", async () => {
    const run = await tokenwire(["ask", "--sep", "|", "hello"]);
    expect(run.code).toBe(0);
    expect(run.stdout.endsWith("\n")).toBe(true);
    expect(isTokenSplit(run.stdout.slice(0, -1).split("|"), defaultTokens)).toBe(true);
  });

  it("should print one JSON line per tokenwire.v1 event with --events", async () => {
    const run = await tokenwire(["ask", "--events", "--model", interopModels.default, "--temperature", "0.5", "--max-tokens", "20", "hello"]);
    const events = run.stdout.trim().split("\n").map((line) => JSON.parse(line) as Record<string, { text?: string }>);
    expect(events[0]).toMatchObject({ sequence: "0", started: { model: interopModels.default } });
    expect(events.at(-1)).toMatchObject({ finished: { finishReason: "FINISH_REASON_STOP", usage: { outputTokens: 10 } } });
    expect(isTokenSplit(events.slice(1, -1).map((event) => event.delta!.text!), defaultTokens)).toBe(true);
  });

  it("should pass --model, --temperature and --max-tokens on to the upstream", async () => {
    const request = stack.fake.nextRequest();
    await tokenwire(["ask", "-m", interopModels.default, "-t", "0.25", "--max-tokens", "9", "hello"]);
    const { body } = await request;
    expect(body).toMatchObject({ model: interopModels.default, temperature: 0.25 });
    expect(body.max_tokens ?? body.max_completion_tokens).toBe(9);
  });

  it.each([
    [["--model", interopModels.rateLimited], "error: resource_exhausted: the model is rate limited (upstream HTTP 429)\n"],
    [["--sep", "|", "--model", interopModels.rateLimited], "error: resource_exhausted: the model is rate limited (upstream HTTP 429)\n"],
    [["--protocol", "grpc", "--model", interopModels.unknown], /^error: not_found: model "not-offered" is not offered here \(choose /],
  ])("should exit 1 with the status on stderr for %j", async (args, stderr) => {
    const run = await tokenwire(["ask", ...args, "hello"]);
    expect(run.code).toBe(1);
    expect(run.stderr).toMatch(stderr);
  });

  it("should exit 2 with invalid_argument for a command line it cannot run", async () => {
    const run = await tokenwire(["ask", "--protocol", "smoke-signals", "hello"]);
    expect(run.code).toBe(2);
    expect(run.stderr).toMatch(/^error: invalid_argument: --protocol must be one of connect, grpc, grpc-web/);
  });

  it.each(["connect", "grpc"])("should cancel the call on SIGINT over %s, close the upstream and exit 130", async (protocol) => {
    const request = stack.fake.nextRequest();
    let interrupted = false;
    const run = await tokenwire(["ask", "--protocol", protocol, "--model", interopModels.stalling, "hello"], (stdout, signal) => {
      // Once, as a user presses Ctrl-C once: a second SIGINT is left to kill the process outright.
      if (!interrupted && stdout.length > 0) signal("SIGINT");
      interrupted = true;
    });
    expect(run.code).toBe(130);
    expect(run.stderr).toBe("");
    await (await request).clientClosed;
  });
});
