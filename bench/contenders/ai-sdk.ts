import { createServer, type IncomingMessage, type ServerResponse } from "node:http";
import type { AddressInfo } from "node:net";
import { pipeTextStreamToResponse, pipeUIMessageStreamToResponse, streamText, toTextStream, toUIMessageStream } from "ai";
import { createOpenAI } from "@ai-sdk/openai";

/**
 * The Vercel AI SDK's usual node:http server: `streamText` on the chat
 * completions API, piped as plain text (`POST /text`) or as a UI message
 * SSE stream (`POST /ui`). A closed response aborts the model call.
 */
export async function startAiSdkServer(upstreamUrl: string): Promise<number> {
  const openai = createOpenAI({ baseURL: upstreamUrl, apiKey: "bench" });
  const server = createServer(async (req, res) => {
    const { model, prompt } = JSON.parse(await readBody(req)) as { model: string; prompt: string };
    const controller = new AbortController();
    res.once("close", () => res.writableFinished || controller.abort());
    const result = streamText({ model: openai.chat(model), prompt, maxRetries: 0, abortSignal: controller.signal });
    await pipe(req.url, res, result.stream);
  });
  server.keepAliveTimeout = 60_000;
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  return (server.address() as AddressInfo).port;
}

function pipe(url: string | undefined, response: ServerResponse, stream: ReturnType<typeof streamText>["stream"]): Promise<void> {
  if (url === "/ui") return pipeUIMessageStreamToResponse({ response, stream: toUIMessageStream({ stream }) });
  return pipeTextStreamToResponse({ response, stream: toTextStream({ stream }) });
}

async function readBody(req: IncomingMessage): Promise<string> {
  let body = "";
  for await (const chunk of req) body += chunk;
  return body;
}
