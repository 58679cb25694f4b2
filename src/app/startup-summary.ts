import { terminalStyle } from "./terminal-style.ts";

/** The wires `npm start` serves on its one port, as its streams' log lines name them. */
export const servedProtocols = ["connect", "grpc", "grpc-web", "openai", "ai-sdk"] as const;

/** What `npm start` serves, for {@link startupSummary}. */
export interface ServedFacts {
  /** The address it is bound to, as `listen()` reports it. */
  address: string;
  port: number;
  tls: boolean;
  /** The model in use, in words. */
  model: string;
  /** The keys file, when calls need API keys. */
  apiKeysFile: string | undefined;
}

/**
 * The URL a person on this machine opens to reach a server bound to
 * `address`: loopback for the any-address (`0.0.0.0`, `::`), which no
 * browser opens, and IPv6 addresses in brackets.
 */
export function reachableUrl({ address, port, tls }: Pick<ServedFacts, "address" | "port" | "tls">): string {
  const host = address === "0.0.0.0" ? "127.0.0.1" : address === "::" ? "localhost" : address.includes(":") ? `[${address}]` : address;
  return `${tls ? "https" : "http"}://${host}:${port}`;
}

/**
 * `npm start`'s first screen on a terminal: where it listens, the chat page
 * to open, the routes on the port, the model and whether calls need API
 * keys, and how to try it. Every URL is one a person can click.
 */
export function startupSummary(facts: ServedFacts, { color = false } = {}): string {
  const { bold } = terminalStyle(color);
  const url = reachableUrl(facts);
  const everywhere = facts.address === "0.0.0.0" || facts.address === "::";
  const keys = facts.apiKeysFile ? `on: every call that streams needs authorization: Bearer <key> (${facts.apiKeysFile})` : "off: anyone who reaches the port may call";
  const tryIt = ["npx tokenwire ask", url === "http://127.0.0.1:8080" ? "" : ` -u ${url}`, facts.apiKeysFile ? " --api-key <key>" : "", ' "hello"'].join("");
  const rows: [string, string][] = [
    ["chat page", bold(`${url}/`)],
    ["model", facts.model],
    ["API keys", keys],
    ["", ""],
    ["Connect, gRPC, gRPC-Web", `${url}  tokenwire.v1.TokenService, openai.Chatgpt`],
    ["OpenAI chat completions", `${url}/v1/chat/completions`],
    ["OpenAI models", `${url}/v1/models`],
    ["AI SDK (useChat)", `${url}/api/chat`],
    ["metrics", `${url}/metrics`],
    ["health", `${url}/healthz`],
  ];
  const width = Math.max(...rows.map(([name]) => name.length));
  return [
    `tokenwire is listening on ${facts.address.includes(":") ? `[${facts.address}]` : facts.address}:${facts.port}${everywhere ? " (every interface)" : ""}, over HTTP/1.1 and HTTP/2${facts.tls ? " with TLS" : ""}`,
    "",
    ...rows.map(([name, value]) => (name || value ? `  ${name.padEnd(width)}  ${value}` : "")),
    "",
    `  try it: ${tryIt}    Ctrl-C stops the server`,
    "",
  ].join("\n");
}
