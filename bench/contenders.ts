/** One row of the table: which server process to start, and which client drives it (none: the floor runs in process). */
export interface Contender {
  name: string;
  server: "floor" | "tokenwire" | "seed-grpc" | "ai-sdk" | "tokenwire-dialects" | "sse-proxy";
  client?: string;
}

/** Every contender, in the order the table lists them. */
export const contenders: Contender[] = [
  { name: "floor: LangChain .stream() in process", server: "floor" },
  { name: "tokenwire, gRPC (h2c)", server: "tokenwire", client: "grpc" },
  { name: "tokenwire, Connect HTTP/1.1", server: "tokenwire", client: "connect-h1" },
  { name: "tokenwire, Connect HTTP/2", server: "tokenwire", client: "connect-h2" },
  { name: "tokenwire, gRPC-Web", server: "tokenwire", client: "grpc-web" },
  { name: "seed design: callback → grpc-js", server: "seed-grpc", client: "seed-grpc" },
  { name: "AI SDK streamText → text", server: "ai-sdk", client: "ai-text" },
  { name: "AI SDK streamText → UI SSE", server: "ai-sdk", client: "ai-ui" },
  { name: "tokenwire, AI SDK UI message stream (/api/chat)", server: "tokenwire-dialects", client: "ui-chat" },
  { name: "proxy floor: the upstream's SSE passed through", server: "sse-proxy", client: "openai-sse" },
  { name: "tokenwire, OpenAI chat completions SSE (/v1)", server: "tokenwire-dialects", client: "openai-sse" },
];
