import { once } from "node:events";
import { request, type IncomingMessage } from "node:http";
import { createClient, type Transport } from "@connectrpc/connect";
import { createConnectTransport, createGrpcTransport, createGrpcWebTransport } from "@connectrpc/connect-node";
import { TokenService } from "../gen/tokenwire/v1/token_service_pb.js";
import { Chatgpt } from "../gen/openai/chatgpt_pb.js";
import type { OpenStream } from "./lib/harness.ts";
import { dialectClients } from "./dialect-clients.ts";

/** The clients the load generator can drive, by the names `run.ts` gives them. */
export const clients: Record<string, (baseUrl: string) => OpenStream> = {
  "grpc": (baseUrl) => tokenService(createGrpcTransport({ baseUrl })),
  "connect-h1": (baseUrl) => tokenService(createConnectTransport({ baseUrl, httpVersion: "1.1" })),
  "connect-h2": (baseUrl) => tokenService(createConnectTransport({ baseUrl, httpVersion: "2" })),
  "grpc-web": (baseUrl) => tokenService(createGrpcWebTransport({ baseUrl, httpVersion: "1.1" })),
  "seed-grpc": (baseUrl) => chatgptSend(createGrpcTransport({ baseUrl })),
  "ai-text": (baseUrl) => postStream(`${baseUrl}/text`, () => (piece) => piece),
  "ai-ui": (baseUrl) => postStream(`${baseUrl}/ui`, sseTextDeltas),
  ...dialectClients,
};

function tokenService(transport: Transport): OpenStream {
  const client = createClient(TokenService, transport);
  return async function* (model, signal) {
    for await (const res of client.streamTokens({ generation: { input: { case: "prompt", value: "hi" }, model } }, { signal })) {
      if (res.event.case === "delta") yield res.event.value.text;
    }
  };
}

// The seed's RPC, which any gRPC client can call: one Answer per token.
function chatgptSend(transport: Transport): OpenStream {
  const client = createClient(Chatgpt, transport);
  return async function* (model, signal) {
    for await (const answer of client.send({ content: "hi", params: { model } }, { signal })) {
      if (answer.error) throw new Error(answer.error);
      yield answer.content;
    }
  };
}

// POSTs a prompt and yields the text each received chunk of the body holds; `reader` makes one parser per stream.
function postStream(url: string, reader: () => (piece: string) => string): OpenStream {
  return async function* (model, signal) {
    const req = request(url, { method: "POST", headers: { "content-type": "application/json" }, signal });
    req.end(JSON.stringify({ model, prompt: "hi" }));
    const [res] = (await once(req, "response")) as [IncomingMessage];
    if (res.statusCode !== 200) throw new Error(`HTTP ${res.statusCode}`);
    const textOf = reader();
    res.setEncoding("utf8");
    for await (const piece of res as AsyncIterable<string>) {
      const text = textOf(piece);
      if (text !== "") yield text;
    }
  };
}

// Reads the AI SDK's UI message stream: SSE events whose JSON is a text-delta carry text.
function sseTextDeltas(): (piece: string) => string {
  let carry = "";
  return (piece) => {
    const lines = (carry + piece).split("\n");
    carry = lines.pop() ?? "";
    let text = "";
    for (const line of lines) {
      if (!line.startsWith("data: {")) continue;
      const event = JSON.parse(line.slice(6)) as { type: string; delta?: string };
      if (event.type === "text-delta") text += event.delta ?? "";
    }
    return text;
  };
}
