import { Code, ConnectError } from "@connectrpc/connect";
import { ask } from "./ask-command.ts";
import { createCliTransport } from "./cli-transport.ts";
import { parseCliArgs, usage, UsageError } from "./parse-cli-args.ts";
import { protocolMismatch } from "./protocol-mismatch.ts";

/** Exit codes of the CLI: 2 for a command line that cannot run, 130 for Ctrl-C as shells report SIGINT. */
export const exitCodes = { ok: 0, failed: 1, usage: 2, interrupted: 130 } as const;

/** Runs the `tokenwire` command line and resolves with its exit code. */
export async function main(argv: readonly string[] = process.argv.slice(2), env: Record<string, string | undefined> = process.env): Promise<number> {
  let parsed;
  try {
    parsed = parseCliArgs(argv, env);
  } catch (reason) {
    if (!(reason instanceof UsageError)) throw reason;
    process.stderr.write(`error: invalid_argument: ${reason.message}\n(tokenwire --help lists the options)\n`);
    return exitCodes.usage;
  }
  if (parsed.command === "help") {
    process.stdout.write(usage);
    return exitCodes.ok;
  }
  return runAsk(parsed.options);
}

async function runAsk(options: Parameters<typeof ask>[0]): Promise<number> {
  // Ctrl-C cancels the call, so the server stops the model, rather than dropping the connection unannounced.
  const interrupt = new AbortController();
  const onSigint = () => interrupt.abort();
  process.once("SIGINT", onSigint);
  let last = "\n";
  const write = (text: string) => {
    if (text) last = text;
    process.stdout.write(text);
  };
  try {
    await ask(options, { transport: createCliTransport(options), write, signal: interrupt.signal });
    return exitCodes.ok;
  } catch (reason) {
    // End a cut-off reply's line, so that the shell prompt or the error starts on a line of its own.
    if (!last.endsWith("\n")) process.stdout.write("\n");
    if (interrupt.signal.aborted) return exitCodes.interrupted;
    process.stderr.write(`error: ${describeError((await protocolMismatch(reason, options)) ?? reason)}\n`);
    return exitCodes.failed;
  } finally {
    process.off("SIGINT", onSigint);
  }
}

/** `<code>: <message>`, with the code spelled as Connect spells it on the wire (`resource_exhausted`). */
export function describeError(reason: unknown): string {
  const error = ConnectError.from(reason);
  const code = Code[error.code].replace(/([a-z])([A-Z])/g, "$1_$2").toLowerCase();
  return `${code}: ${error.rawMessage}`;
}
