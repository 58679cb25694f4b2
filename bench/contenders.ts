type Floor = "floor" | "agent-floor";

/** One row of the table: which server process to start, and which client drives it (none: a floor, run in process). */
export interface Contender {
  name: string;
  server: Floor | "bytes-floor" | "wire-floor" | "wire-floor-h1" | "h2-floor" | "tokenwire" | "tokenwire-coalesce-20" | "tokenwire-agent" | "seed-grpc" | "ai-sdk" | "tokenwire-dialects" | "sse-proxy";
  client?: string;
  /** The floor the row is measured against; default the chat model's. */
  floor?: Floor;
  /** The share of the run's concurrent streams this row opens in the memory and paced scenarios; default all. */
  streamShare?: number;
  /** The source tree the server runs tokenwire from, when not this checkout: another commit's worktree. */
  root?: string;
  /** For a baseline row, the name of the row it is the baseline of. */
  baselineOf?: string;
}

/**
 * Every contender, in the order the table lists them. The agent is measured
 * against LangGraph's own stream of the same agent, not a bare chat model's,
 * with a fifth of the concurrent streams: an agent's stream costs three to
 * four times a chat model's CPU per paced token, and 1,000 of them at 5
 * tokens/s need more than the server's one core even in process (BENCHMARKS.md).
 */
export const contenders: Contender[] = [
  { name: "floor: LangChain .stream() in process", server: "floor" },
  { name: "physical floor: fetch + SSE parsed by hand, in process", server: "bytes-floor" },
  { name: "wire floor: the physical floor's tokens through connect-node, gRPC (h2c)", server: "wire-floor", client: "grpc" },
  { name: "HTTP/2 floor: the physical floor's tokens as gRPC messages written by hand on node:http2 (h2c)", server: "h2-floor", client: "grpc" },
  { name: "tokenwire, gRPC (h2c)", server: "tokenwire", client: "grpc" },
  { name: "tokenwire, Connect HTTP/1.1", server: "tokenwire", client: "connect-h1" },
  { name: "tokenwire, Connect HTTP/2", server: "tokenwire", client: "connect-h2" },
  { name: "tokenwire, gRPC-Web", server: "tokenwire", client: "grpc-web" },
  { name: "tokenwire, gRPC (h2c), 20 ms coalescing window", server: "tokenwire-coalesce-20", client: "grpc" },
  { name: "seed design: callback → grpc-js", server: "seed-grpc", client: "seed-grpc" },
  { name: "AI SDK streamText → text", server: "ai-sdk", client: "ai-text" },
  { name: "AI SDK streamText → UI SSE", server: "ai-sdk", client: "ai-ui" },
  { name: "tokenwire, AI SDK UI message stream (/api/chat)", server: "tokenwire-dialects", client: "ui-chat" },
  { name: "proxy floor: the upstream's SSE passed through", server: "sse-proxy", client: "openai-sse" },
  { name: "tokenwire, OpenAI chat completions SSE (/v1)", server: "tokenwire-dialects", client: "openai-sse" },
  { name: "tokenwire, OpenAI Responses SSE (/v1/responses)", server: "tokenwire-dialects", client: "openai-responses" },
  { name: "agent floor: LangGraph .stream() (messages) in process", server: "agent-floor", floor: "agent-floor", streamShare: 0.2 },
  { name: "ReAct agent through tokenwire, gRPC (h2c)", server: "tokenwire-agent", client: "grpc", floor: "agent-floor", streamShare: 0.2 },
];

/** A commit's tree checked out beside this one (lib/checkout.ts). */
type Tree = { commit: string; root: string };

/**
 * The contenders as a run lines them up: each tokenwire text row served from
 * `trees.current`'s tree when given, and with `trees.baseline`, followed by the
 * same row served from the baseline's, named `tokenwire@<commit>`; the baseline
 * goes first when `baselineFirst`, so that rounds in alternating order cancel
 * the machine's drift between the two.
 */
export function lineUp(list: Contender[], trees: { current?: Tree; baseline?: Tree }, baselineFirst: boolean): Contender[] {
  return list.flatMap((contender) => {
    if (contender.server !== "tokenwire") return [contender];
    const now = trees.current ? servedFrom(contender, trees.current) : contender;
    if (!trees.baseline) return [now];
    const base = { ...servedFrom(contender, trees.baseline), baselineOf: now.name };
    return baselineFirst ? [base, now] : [now, base];
  });
}

function servedFrom(contender: Contender, tree: Tree): Contender {
  return { ...contender, name: contender.name.replace(/^tokenwire/, `tokenwire@${tree.commit}`), root: tree.root };
}
