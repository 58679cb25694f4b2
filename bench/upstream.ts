// The fake OpenAI upstream in its own process: chat-completions SSE, paced by
// the model name (see lib/bench-model.ts), reporting each client close. A
// request that offers tools gets a tool call first (see lib/turns.ts).
import { createServer, type ServerResponse } from "node:http";
import type { AddressInfo } from "node:net";
import { createIpcPeer } from "./lib/ipc.ts";
import { nowMs } from "./lib/clock.ts";
import { parseBenchModel, type BenchModel } from "./lib/bench-model.ts";
import { turnFor, type ChatRequest } from "./lib/turns.ts";

const parent = createIpcPeer(process);
// Unpaced replies go out this many events per write, so the upstream stays cheap beside the load generator.
const burst = 32;

const server = createServer(async (req, res) => {
  let body = "";
  for await (const chunk of req) body += chunk;
  const request = JSON.parse(body) as ChatRequest;
  const model = parseBenchModel(request.model);
  if (!model) return void res.writeHead(404).end();
  let done = false;
  // Reported the moment the socket closes under an unfinished reply: the cancel figure ends here.
  res.once("close", () => done || void parent.call("closed", { tag: model.tag, at: nowMs() }));
  await reply(res, model, request);
  done = true;
  res.end("data: [DONE]\n\n");
});
server.keepAliveTimeout = 60_000;
server.listen(0, "127.0.0.1", () => void parent.call("ready", { port: (server.address() as AddressInfo).port }));

async function reply(res: ServerResponse, model: BenchModel, request: ChatRequest) {
  const turn = turnFor(request, model);
  res.writeHead(200, { "content-type": "text/event-stream", "cache-control": "no-cache" });
  const paced = model.pauseMs > 0;
  let batch = "";
  for (let i = 0; i < turn.events; i++) {
    if (paced) await new Promise((resolve) => setTimeout(resolve, model.pauseMs));
    if (res.destroyed) return;
    batch += event({ index: 0, delta: turn.delta(i, paced), finish_reason: null });
    if (!paced && (i + 1) % burst !== 0 && i + 1 < turn.events) continue;
    const flushed = res.write(batch);
    batch = "";
    if (!flushed) await new Promise((resolve) => res.once("drain", resolve));
  }
  res.write(event({ index: 0, delta: {}, finish_reason: turn.finish }));
  if (request.stream_options?.include_usage) res.write(event(undefined, { prompt_tokens: 7, completion_tokens: turn.events, total_tokens: 7 + turn.events }));
}

function event(choice: object | undefined, usage?: object): string {
  const chunk = { id: "chatcmpl-bench", object: "chat.completion.chunk", created: 0, model: "bench", choices: choice ? [choice] : [], usage };
  return `data: ${JSON.stringify(chunk)}\n\n`;
}
