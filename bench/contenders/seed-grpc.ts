import { fileURLToPath } from "node:url";
import { once } from "node:events";
import * as grpc from "@grpc/grpc-js";
import * as protoLoader from "@grpc/proto-loader";
import { BaseCallbackHandler } from "@langchain/core/callbacks/base";
import { ChatOpenAI } from "@langchain/openai";
import { seedTemplate } from "../../src/models/seed-template.ts";

interface Message {
  content: string;
  params?: { model: string; temperature: number };
}
interface Answer {
  content?: string;
  error?: string;
}
type SendCall = grpc.ServerWritableStream<Message, Answer>;

/**
 * The seed's design in TypeScript: a callback handler whose new-token hook
 * writes each token into the gRPC server stream. Like the seed's async
 * handler, it is awaited (no background queue), and it waits for the stream
 * to drain when a write is refused, as grpc.aio's `await context.write` does.
 */
class StreamingLLMCallbackHandler extends BaseCallbackHandler {
  name = "streaming-llm-callback-handler";
  override awaitHandlers = true;
  readonly call: SendCall;

  constructor(call: SendCall) {
    super();
    this.call = call;
  }

  override async handleLLMNewToken(token: string): Promise<void> {
    if (!this.call.write({ content: token })) await once(this.call, "drain");
  }
}

/**
 * Serves `openai.Chatgpt/Send` with @grpc/grpc-js. The chain runs with
 * `.stream()` rather than the seed's `invoke`: `invoke` with streaming
 * estimates token counts with a tokenizer fetched from the internet, which
 * this loopback-only bench may not reach. The handler still writes every token.
 */
export async function startSeedServer(upstreamUrl: string): Promise<number> {
  const proto = fileURLToPath(new URL("../../proto/openai/chatgpt.proto", import.meta.url));
  const definition = grpc.loadPackageDefinition(protoLoader.loadSync(proto)) as unknown as {
    openai: { Chatgpt: { service: grpc.ServiceDefinition } };
  };
  const server = new grpc.Server();
  server.addService(definition.openai.Chatgpt.service, { send: (call: SendCall) => void send(call, upstreamUrl) });
  const address = "127.0.0.1:0";
  return new Promise((resolve, reject) =>
    server.bindAsync(address, grpc.ServerCredentials.createInsecure(), (error, port) => (error ? reject(error) : resolve(port))),
  );
}

async function send(call: SendCall, upstreamUrl: string): Promise<void> {
  const controller = new AbortController();
  call.once("cancelled", () => controller.abort());
  const llm = new ChatOpenAI({ model: call.request.params?.model, streaming: true, temperature: 0.6, apiKey: "bench", maxRetries: 0, configuration: { baseURL: upstreamUrl } });
  const chain = seedTemplate.pipe(llm);
  try {
    const stream = await chain.stream({ human_input: call.request.content }, { callbacks: [new StreamingLLMCallbackHandler(call)], signal: controller.signal });
    for await (const _ of stream); // the handler writes; the chunks themselves are not used
    call.end();
  } catch (error) {
    if (controller.signal.aborted) return;
    call.write({ error: String(error) });
    call.destroy(Object.assign(new Error(String(error)), { code: grpc.status.UNKNOWN }));
  }
}
