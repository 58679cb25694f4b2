import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { defaultTokens, startFakeOpenAI, type FakeOpenAI } from "../fixtures/fake-openai.ts";
import { runTokenwireCli, type CliRun, type CliRunOptions } from "../fixtures/tokenwire-cli.ts";
import { startTokenwireProcess, type TokenwireProcess } from "../fixtures/tokenwire-process.ts";

/** Ten tokens 50 ms apart: time enough to leave mid-answer. Three tokens, then silence: a generation that stays open. */
const models = { paced: "paced-50", stalling: "stall-after-3" } as const;
const reply = defaultTokens.join("");

let fake: FakeOpenAI;
let server: TokenwireProcess;
beforeAll(async () => {
  fake = await startFakeOpenAI();
  server = await startTokenwireProcess({ upstreamUrl: fake.url, models: Object.values(models) });
});
afterAll(async () => {
  await server?.stop();
  await fake?.close();
});

function tokenwire(args: string[], hooks: Omit<CliRunOptions, "url"> = {}): Promise<CliRun> {
  return runTokenwireCli(args, { url: server.url, ...hooks });
}

/** Runs `tokenwire ask`, and resolves `id` with the stream id once stderr shows it. */
function askResumable(args: string[], hooks: Omit<CliRunOptions, "url" | "onStderr"> = {}) {
  let shown: (id: string) => void = () => {};
  const id = new Promise<string>((resolve) => (shown = resolve));
  const onStderr = (stderr: string) => {
    const shownId = /^stream id: (\S+)\n/.exec(stderr)?.[1];
    if (shownId) shown(shownId);
  };
  const run = tokenwire(["ask", "--resumable", ...args], { ...hooks, onStderr });
  return { id, run };
}

describe("tokenwire ask --resumable", () => {
  it("should print the stream id on stderr first and the whole reply on stdout", async () => {
    const run = await tokenwire(["ask", "--resumable", "-m", models.paced, "hello"]);
    expect(run.code).toBe(0);
    expect(run.stdout).toBe(`${reply}\n`);
    expect(run.stderr).toMatch(/^stream id: [0-9a-f-]{36}\n$/);
  });

  it.each(["connect", "grpc", "grpc-web"])(
    "should only leave on Ctrl-C, the generation going on, and --resume --after over %s should print exactly the rest",
    async (protocol) => {
      const upstream = fake.nextRequest();
      let interrupted = false;
      const left = await tokenwire(["ask", "--resumable", "-m", models.paced, "hello"], {
        onStdout: (stdout, signal) => {
          if (!interrupted && stdout.length > 0) signal("SIGINT");
          interrupted = true;
        },
      });
      expect(left.code).toBe(130);
      const note = /^stream id: (\S+)\nleft stream \1 at sequence (\d+): the server goes on generating it for its grace period\nread the rest with: tokenwire ask --resume \1 --after \2\n$/.exec(left.stderr);
      expect(note, left.stderr).not.toBeNull();
      const [, streamId, after] = note!;
      // Leaving is not stopping: the model's request runs to its end.
      expect(await (await upstream).ended).toBe("completed");

      const rest = await tokenwire(["ask", "-p", protocol, "--resume", streamId!, "--after", after!]);
      expect(rest).toMatchObject({ code: 0, stderr: "" });
      // The cut-off line was ended with a newline of its own; without it, the two parts are the reply, once.
      expect(left.stdout.slice(0, -1)).not.toBe("");
      expect(left.stdout.slice(0, -1) + rest.stdout).toBe(`${reply}\n`);
    },
  );

  it("should join a stream from its start with --resume and print its events with --events", async () => {
    const first = await tokenwire(["ask", "--resumable", "--events", "-m", models.paced, "hello"]);
    const [started, ...parts] = first.stdout.trim().split("\n").map((line) => JSON.parse(line) as { sequence: string; started?: { streamId: string }; delta?: { text: string } });
    const streamId = started!.started!.streamId;
    expect(first.stderr).toBe(`stream id: ${streamId}\n`);

    const joined = await tokenwire(["ask", "--resume", streamId, "--events"]);
    expect(joined.code).toBe(0);
    const events = joined.stdout.trim().split("\n").map((line) => JSON.parse(line) as (typeof parts)[number] & { finished?: { finishReason: string } });
    expect(events.map((event) => event.delta?.text ?? "").join("")).toBe(reply);
    expect(events.at(-1)).toMatchObject({ sequence: parts.at(-1)!.sequence, finished: { finishReason: "FINISH_REASON_STOP" } });
    // After started (0): a reader that joins late may get the text so far merged into one delta.
    const sequences = events.map((event) => Number(event.sequence));
    expect(sequences.every((sequence, i) => sequence > (i === 0 ? 0 : sequences[i - 1]!))).toBe(true);
  });
});

describe("tokenwire stop", () => {
  it("should stop a generation from another client: the upstream request closes and the reader ends with what was said", async () => {
    const upstream = fake.nextRequest();
    let threeTokens: () => void = () => {};
    const saidThree = new Promise<void>((resolve) => (threeTokens = resolve));
    const asking = askResumable(["-m", models.stalling, "hello"], { onStdout: (stdout) => void (stdout === defaultTokens.slice(0, 3).join("") && threeTokens()) });
    const streamId = await asking.id;
    await saidThree;

    expect(await tokenwire(["stop", streamId])).toEqual({ code: 0, stdout: `stopped the generation of ${streamId}\n`, stderr: "" });
    await (await upstream).clientClosed;
    expect(await asking.run).toEqual({ code: 0, stdout: `${defaultTokens.slice(0, 3).join("")}\n`, stderr: `stream id: ${streamId}\n(stopped)\n` });
    expect(await tokenwire(["stop", "-p", "grpc", streamId])).toEqual({ code: 0, stdout: `${streamId} had already ended: nothing to stop\n`, stderr: "" });
  });

  it.each([[["stop", "no-such-stream"]], [["ask", "--resume", "no-such-stream"]]])("should exit 1 with not_found for an unknown stream: %j", async (args) => {
    expect(await tokenwire(args)).toEqual({ code: 1, stdout: "", stderr: "error: not_found: no such stream here (it may have expired)\n" });
  });
});
