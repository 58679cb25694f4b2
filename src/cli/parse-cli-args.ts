import { parseArgs } from "node:util";

/** The wire protocols the CLI can speak. */
export const protocols = ["connect", "grpc", "grpc-web"] as const;

/** A wire protocol the CLI can speak. */
export type Protocol = (typeof protocols)[number];

/** Which server to call, and how. */
export interface ServerOptions {
  protocol: Protocol;
  /** The server's base URL. */
  url: string;
  /** The caller's API key, sent as `authorization: Bearer <key>` on every call. */
  apiKey?: string;
}

/** What `tokenwire ask` was asked to do. */
export interface AskOptions extends ServerOptions {
  prompt: string;
  model?: string;
  temperature?: number;
  maxTokens?: number;
  /** Call the seed's `openai.Chatgpt/Send` and print its Answers with this separator between them. */
  sep?: string;
  /** Print the `tokenwire.v1` events as JSON lines instead of the text. */
  events: boolean;
  /** Ask for a resumable stream, and print its id on stderr. */
  resumable: boolean;
}

/** What `tokenwire ask --resume` was asked to do. */
export interface ResumeOptions extends ServerOptions {
  streamId: string;
  /** The last sequence already read; the stream goes on after it. */
  afterSequence: bigint;
  events: boolean;
}

/** What `tokenwire stop` was asked to do. */
export interface StopOptions extends ServerOptions {
  streamId: string;
}

/** A parsed command line. */
export type CliCommand =
  | { command: "help" }
  | { command: "ask"; options: AskOptions }
  | { command: "resume"; options: ResumeOptions }
  | { command: "stop"; options: StopOptions };

/** A command line that cannot run, with a message that says what to fix. */
export class UsageError extends Error {
  override name = "UsageError";
}

/** The help text. */
export const usage = `Usage: tokenwire ask [options] <prompt...>
       tokenwire ask --resume <stream-id> [--after <sequence>] [--events]
       tokenwire stop <stream-id>
       tokenwire serve

ask streams a reply from a tokenwire server: its text to stdout, its reasoning,
tool calls and tool results to stderr. Ctrl-C cancels the call; on a resumable
stream it only leaves, and the server goes on generating for a while.
stop ends a resumable stream's generation, from any client.
serve runs the server, as npm start does, configured by the environment
(tokenwire serve --help).

Options of ask (stop takes -p, -u and --api-key):
  -p, --protocol <name>     connect, grpc or grpc-web (default connect)
  -u, --url <url>           the server (default $TOKENWIRE_URL or http://127.0.0.1:8080)
      --api-key <key>       the key a server with API keys wants (default $TOKENWIRE_API_KEY, which
                            keeps it out of the shell's history and the process list)
  -m, --model <name>        a model the server offers (default: the server's)
  -t, --temperature <n>     sampling temperature, 0 to 2
      --max-tokens <n>      upper bound on generated tokens
      --sep <text>          call the seed's openai.Chatgpt/Send; print its answers separated by <text>
      --events              print the tokenwire.v1 event stream, one JSON line per event
      --resumable           ask for a resumable stream; its id is printed on stderr
      --resume <stream-id>  print the rest of a resumable stream
      --after <sequence>    with --resume: the last sequence already read (default 0, the whole answer)
  -h, --help                show this help
`;

const defaultUrl = "http://127.0.0.1:8080";

type Values = ReturnType<typeof parseOrThrow>["values"];

/** Reads the command line (`argv` without node and the script) and the environment's `TOKENWIRE_URL` and `TOKENWIRE_API_KEY`. */
export function parseCliArgs(argv: readonly string[], env: Record<string, string | undefined> = {}): CliCommand {
  const { values, positionals } = parseOrThrow(argv);
  const [command, ...words] = positionals;
  if (values.help || command === undefined || command === "help") return { command: "help" };
  const server = { protocol: protocolOf(values.protocol ?? "connect"), url: urlOf(values.url ?? env.TOKENWIRE_URL ?? defaultUrl), apiKey: apiKeyOf(values["api-key"], env) };
  if (command === "stop") return { command: "stop", options: { ...server, streamId: stopTarget(values, words) } };
  if (command !== "ask") throw new UsageError(`unknown command "${command}"; try: tokenwire ask "…"`);
  if (values.resume !== undefined) return { command: "resume", options: resumeOptions(values, words, server) };
  if (values.after !== undefined) throw new UsageError("--after goes with --resume <stream-id>");
  const prompt = words.join(" ");
  if (!prompt.trim()) throw new UsageError("ask needs a prompt");
  if (values.sep !== undefined && values.events) throw new UsageError("--sep and --events do not go together");
  if (values.sep !== undefined && values["max-tokens"] !== undefined) throw new UsageError("the seed's Send takes no --max-tokens");
  if (values.sep !== undefined && values.resumable) throw new UsageError("the seed's Send has no resumable streams: leave out --sep or --resumable");
  return {
    command: "ask",
    options: {
      ...server,
      prompt,
      model: values.model,
      temperature: numberOf("--temperature", values.temperature),
      maxTokens: numberOf("--max-tokens", values["max-tokens"]),
      sep: values.sep,
      events: values.events ?? false,
      resumable: values.resumable ?? false,
    },
  };
}

// A resumed stream goes on as it was asked: nothing of a new request applies to it.
function resumeOptions(values: Values, words: string[], server: ServerOptions): ResumeOptions {
  const extra = (["model", "temperature", "max-tokens", "sep", "resumable"] as const).filter((name) => values[name] !== undefined);
  if (words.length > 0 || extra.length > 0) {
    throw new UsageError(`--resume goes on with the stream as it was asked: it takes no ${words.length > 0 ? "prompt" : `--${extra[0]}`}`);
  }
  const streamId = values.resume!.trim();
  if (!streamId) throw new UsageError("--resume needs a stream id");
  return { ...server, streamId, afterSequence: sequenceOf(values.after ?? "0"), events: values.events ?? false };
}

function stopTarget(values: Values, words: string[]): string {
  const extra = (["model", "temperature", "max-tokens", "sep", "events", "resumable", "resume", "after"] as const).find((name) => values[name] !== undefined);
  if (extra) throw new UsageError(`stop takes a stream id and no --${extra}`);
  if (words.length !== 1 || !words[0]!.trim()) throw new UsageError("stop takes one stream id: tokenwire stop <stream-id>");
  return words[0]!.trim();
}

function parseOrThrow(argv: readonly string[]) {
  try {
    return parseArgs({
      args: [...argv],
      allowPositionals: true,
      options: {
        protocol: { type: "string", short: "p" },
        url: { type: "string", short: "u" },
        "api-key": { type: "string" },
        model: { type: "string", short: "m" },
        temperature: { type: "string", short: "t" },
        "max-tokens": { type: "string" },
        sep: { type: "string" },
        events: { type: "boolean" },
        resumable: { type: "boolean" },
        resume: { type: "string" },
        after: { type: "string" },
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

// An empty TOKENWIRE_API_KEY is unset, as shells write it; an empty --api-key is a mistake. The key is never
// repeated in a message, which may end up in a terminal's scrollback or a CI log.
function apiKeyOf(flag: string | undefined, env: Record<string, string | undefined>): string | undefined {
  const [name, value] = flag === undefined ? ["TOKENWIRE_API_KEY", env.TOKENWIRE_API_KEY?.trim() || undefined] : ["--api-key", flag.trim()];
  if (value === undefined) return undefined;
  if (!value) throw new UsageError("--api-key needs a key");
  // What a bearer token may hold (RFC 6750's b64token is narrower): anything else is no header value.
  if (!/^[\x21-\x7e]+$/.test(value)) throw new UsageError(`${name} holds a space, a control or a non-ASCII character, which an authorization header cannot carry`);
  return value;
}

// The server checks ranges; here only that the text is a number, so a typo is not sent as NaN.
function numberOf(flag: string, value: string | undefined): number | undefined {
  if (value === undefined) return undefined;
  const parsed = Number(value);
  if (value.trim() === "" || !Number.isFinite(parsed)) throw new UsageError(`${flag} takes a number, not "${value}"`);
  return parsed;
}

// Sequences are uint64 on the wire: digits only, read as a bigint so none is rounded.
function sequenceOf(value: string): bigint {
  if (!/^\d{1,20}$/.test(value.trim()) || BigInt(value.trim()) >= 2n ** 64n) throw new UsageError(`--after takes a sequence number, 0 or more, not "${value}"`);
  return BigInt(value.trim());
}
