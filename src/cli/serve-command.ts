import { startServer } from "../app/start-server.ts";

/** The help of `tokenwire serve`. */
export const serveUsage = `Usage: tokenwire serve

Serves tokenwire as npm start does: Connect, gRPC and gRPC-Web on one port, the
OpenAI and AI SDK routes, /healthz, /metrics and the chat page, configured by the
same environment variables (PORT, HOST, OPENAI_API_KEY, TOKENWIRE_API_KEYS_FILE, …).
SIGTERM or Ctrl-C stops it gracefully.
`;

/**
 * `tokenwire serve`: npm start's server, from wherever tokenwire is
 * installed. Resolves with the exit code: 1 for a setting it cannot start
 * with (said in one line), 0 once it has stopped and nothing is left to run.
 */
export async function serveCommand(argv: readonly string[], env: Record<string, string | undefined>): Promise<number> {
  if (argv.length === 1 && (argv[0] === "-h" || argv[0] === "--help")) return (process.stdout.write(serveUsage), 0);
  if (argv.length > 0) {
    process.stderr.write("error: invalid_argument: tokenwire serve takes no arguments: the environment configures it (tokenwire serve --help)\n");
    return 2;
  }
  if (!(await startServer(env))) return 1;
  // The server stops itself on SIGTERM and SIGINT; the command is done when nothing is left to run.
  return new Promise((resolve) => process.once("beforeExit", () => resolve(0)));
}
