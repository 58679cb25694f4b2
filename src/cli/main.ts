import { Code, ConnectError } from "@connectrpc/connect";
import { ask, resume, type AskIo, type StreamPosition } from "./ask-command.ts";
import { processOutput, type CliOutput } from "./cli-output.ts";
import { createCliTransport } from "./cli-transport.ts";
import { parseCliArgs, usage, UsageError, type CliCommand, type ServerOptions } from "./parse-cli-args.ts";
import { protocolMismatch } from "./protocol-mismatch.ts";
import { stop } from "./stop-command.ts";
import { serveCommand } from "./serve-command.ts";

/** Exit codes of the CLI: 2 for a command line that cannot run, 130 for Ctrl-C as shells report SIGINT. */
export const exitCodes = { ok: 0, failed: 1, usage: 2, interrupted: 130 } as const;

type Env = Record<string, string | undefined>;

/** What `tokenwire <command>` runs, by command: `--help` must name every one. */
export const commands = {
  ask: runCall,
  stop: runCall,
  serve: (argv: readonly string[], env: Env) => serveCommand(argv.slice(1), env),
} satisfies Record<string, (argv: readonly string[], env: Env) => Promise<number>>;

/** Runs the `tokenwire` command line and resolves with its exit code. */
export function main(argv: readonly string[] = process.argv.slice(2), env: Env = process.env): Promise<number> {
  // Options may come before ask's or stop's name, which parseCliArgs finds; anything else is for it to refuse.
  const run = Object.hasOwn(commands, argv[0] ?? "") ? commands[argv[0] as keyof typeof commands] : runCall;
  return run(argv, env);
}

async function runCall(argv: readonly string[], env: Env): Promise<number> {
  const output = processOutput(env);
  let parsed;
  try {
    parsed = parseCliArgs(argv, env);
  } catch (reason) {
    if (!(reason instanceof UsageError)) throw reason;
    output.stderr(`error: invalid_argument: ${reason.message}\n(tokenwire --help lists the options)\n`);
    return exitCodes.usage;
  }
  if (parsed.command === "help") {
    output.stdout(usage);
    return exitCodes.ok;
  }
  if (parsed.command === "stop") {
    const { options } = parsed;
    return settle(async () => output.stdout(await stop(options, createCliTransport(options))), { options, output });
  }
  return runStream(parsed, output);
}

async function runStream(command: Exclude<CliCommand, { command: "help" | "stop" }>, output: CliOutput): Promise<number> {
  // Ctrl-C cancels the call, rather than dropping the connection unannounced: the server stops the model, or, for
  // a resumable stream, counts this reader gone and goes on generating for its grace period. A reader of stdout
  // that has gone cancels it the same way.
  const interrupt = new AbortController();
  const onSigint = () => interrupt.abort();
  process.once("SIGINT", onSigint);
  const io: AskIo = { transport: createCliTransport(command.options), output, signal: AbortSignal.any([interrupt.signal, output.closed]), position: {} };
  try {
    return await settle(() => (command.command === "resume" ? resume(command.options, io) : ask(command.options, io)), {
      options: command.options,
      output,
      stopped: () => {
        if (output.closed.aborted) return exitCodes.ok;
        if (!interrupt.signal.aborted) return undefined;
        leftNote(io.position, output);
        return exitCodes.interrupted;
      },
    });
  } finally {
    process.off("SIGINT", onSigint);
  }
}

interface SettleOptions {
  options: ServerOptions;
  output: CliOutput;
  /** The exit code when the failure is no error (the user's Ctrl-C, stdout's reader gone); undefined otherwise. */
  stopped?: () => number | undefined;
}

// Runs a command and turns its outcome into an exit code, a failure into `error: <code>: <message>` on stderr.
async function settle(run: () => Promise<void>, { options, output, stopped = () => undefined }: SettleOptions): Promise<number> {
  try {
    await run();
    return exitCodes.ok;
  } catch (reason) {
    const code = stopped();
    if (code !== undefined) return code;
    const error = ConnectError.from((await protocolMismatch(reason, options)) ?? reason);
    output.stderr(`error: ${describeError(error)}${keyHint(error, options)}\n`);
    return exitCodes.failed;
  }
}

// A server with API keys refuses a call without one: say how to send it, in the same line.
function keyHint(error: ConnectError, { apiKey }: ServerOptions): string {
  return error.code === Code.Unauthenticated && apiKey === undefined ? "; this call sent no API key: pass one with --api-key or TOKENWIRE_API_KEY" : "";
}

// Leaving a resumable stream is not the end of it: say so, and how to read the rest.
function leftNote({ streamId, sequence = 0n }: StreamPosition, output: CliOutput): void {
  if (!streamId) return;
  output.stderr(`left stream ${streamId} at sequence ${sequence}: the server goes on generating it for its grace period\n`);
  output.stderr(`read the rest with: tokenwire ask --resume ${streamId} --after ${sequence}\n`);
}

/** `<code>: <message>`, with the code spelled as Connect spells it on the wire (`resource_exhausted`). */
export function describeError(reason: unknown): string {
  const error = ConnectError.from(reason);
  const code = Code[error.code].replace(/([a-z])([A-Z])/g, "$1_$2").toLowerCase();
  return `${code}: ${error.rawMessage}`;
}
