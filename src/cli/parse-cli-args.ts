import { parseArgs } from "node:util";

/** The wire protocols the CLI can speak. */
export const protocols = ["connect", "grpc", "grpc-web"] as const;

/** A wire protocol the CLI can speak. */
export type Protocol = (typeof protocols)[number];

/** What `tokenwire ask` was asked to do. */
export interface AskOptions {
  prompt: string;
  protocol: Protocol;
  /** The server's base URL. */
  url: string;
  model?: string;
  temperature?: number;
  maxTokens?: number;
  /** Call the seed's `openai.Chatgpt/Send` and print its Answers with this separator between them. */
  sep?: string;
  /** Print the `tokenwire.v1` events as JSON lines instead of the text. */
  events: boolean;
}

/** A parsed command line. */
export type CliCommand = { command: "help" } | { command: "ask"; options: AskOptions };

/** A command line that cannot run, with a message that says what to fix. */
export class UsageError extends Error {
  override name = "UsageError";
}

/** The help text. */
export const usage = `Usage: tokenwire ask [options] <prompt...>

Streams a reply from a tokenwire server to stdout. Ctrl-C cancels the call.

Options:
  -p, --protocol <name>     connect, grpc or grpc-web (default connect)
  -u, --url <url>           the server (default $TOKENWIRE_URL or http://127.0.0.1:8080)
  -m, --model <name>        a model the server offers (default: the server's)
  -t, --temperature <n>     sampling temperature, 0 to 2
      --max-tokens <n>      upper bound on generated tokens
      --sep <text>          call the seed's openai.Chatgpt/Send; print its answers separated by <text>
      --events              print the tokenwire.v1 event stream, one JSON line per event
  -h, --help                show this help
`;

const defaultUrl = "http://127.0.0.1:8080";

/** Reads the command line (`argv` without node and the script) and the environment's `TOKENWIRE_URL`. */
export function parseCliArgs(argv: readonly string[], env: Record<string, string | undefined> = {}): CliCommand {
  const { values, positionals } = parseOrThrow(argv);
  const [command, ...words] = positionals;
  if (values.help || command === undefined || command === "help") return { command: "help" };
  if (command !== "ask") throw new UsageError(`unknown command "${command}"; try: tokenwire ask "…"`);
  const prompt = words.join(" ");
  if (!prompt.trim()) throw new UsageError("ask needs a prompt");
  if (values.sep !== undefined && values.events) throw new UsageError("--sep and --events do not go together");
  if (values.sep !== undefined && values["max-tokens"] !== undefined) throw new UsageError("the seed's Send takes no --max-tokens");
  return {
    command: "ask",
    options: {
      prompt,
      protocol: protocolOf(values.protocol ?? "connect"),
      url: urlOf(values.url ?? env.TOKENWIRE_URL ?? defaultUrl),
      model: values.model,
      temperature: numberOf("--temperature", values.temperature),
      maxTokens: numberOf("--max-tokens", values["max-tokens"]),
      sep: values.sep,
      events: values.events ?? false,
    },
  };
}

function parseOrThrow(argv: readonly string[]) {
  try {
    return parseArgs({
      args: [...argv],
      allowPositionals: true,
      options: {
        protocol: { type: "string", short: "p" },
        url: { type: "string", short: "u" },
        model: { type: "string", short: "m" },
        temperature: { type: "string", short: "t" },
        "max-tokens": { type: "string" },
        sep: { type: "string" },
        events: { type: "boolean" },
        help: { type: "boolean", short: "h" },
      },
    });
  } catch (cause) {
    throw new UsageError((cause as Error).message, { cause });
  }
}

function protocolOf(value: string): Protocol {
  if ((protocols as readonly string[]).includes(value)) return value as Protocol;
  throw new UsageError(`--protocol must be one of ${protocols.join(", ")}, not "${value}"`);
}

function urlOf(value: string): string {
  if (URL.canParse(value) && /^https?:$/.test(new URL(value).protocol)) return value;
  throw new UsageError(`--url must be an http:// or https:// URL, not "${value}"`);
}

// The server checks ranges; here only that the text is a number, so a typo is not sent as NaN.
function numberOf(flag: string, value: string | undefined): number | undefined {
  if (value === undefined) return undefined;
  const parsed = Number(value);
  if (value.trim() === "" || !Number.isFinite(parsed)) throw new UsageError(`${flag} takes a number, not "${value}"`);
  return parsed;
}
