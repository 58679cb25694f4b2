import { once } from "node:events";
import { request, type IncomingMessage } from "node:http";
import type { OpenStream } from "./lib/harness.ts";

/** The clients of the web's dialects, by the names `contenders.ts` gives them. */
export const dialectClients: Record<string, (baseUrl: string) => OpenStream> = {
  // OpenAI's chat completions, as its SDKs stream them: the text is each chunk's `choices[0].delta.content`.
  "openai-sse": (baseUrl) =>
    sseJson(`${baseUrl}/v1/chat/completions`, (model) => ({ model, messages: [{ role: "user", content: "hi" }], stream: true }), (data) => {
      const chunk = data as { choices?: { delta?: { content?: string } }[] };
      return chunk.choices?.[0]?.delta?.content ?? "";
    }),
  // OpenAI's Responses API, as its SDKs stream it: the text is each `response.output_text.delta` event's `delta`.
  "openai-responses": (baseUrl) =>
    sseJson(`${baseUrl}/v1/responses`, (model) => ({ model, input: "hi", stream: true }), (data) => {
      const event = data as { type?: string; delta?: string };
      return event.type === "response.output_text.delta" ? (event.delta ?? "") : "";
    }),
  // useChat's request to tokenwire's `/api/chat`: the text is each `text-delta` chunk's `delta`. Each stream is a chat of its
  // own, named by its model name (unique per stream); a chat's answer outlives its request, so a cancel stops it as the
  // stopping fetch of docs/ai-sdk.md does, with `POST /api/chat/:id/stop`.
  "ui-chat": (baseUrl) => {
    const read = sseJson(`${baseUrl}/api/chat`, (model) => ({ id: model, model, messages: [{ id: "1", role: "user", parts: [{ type: "text", text: "hi" }] }] }), (data) => {
      const chunk = data as { type?: string; delta?: string };
      return chunk.type === "text-delta" ? (chunk.delta ?? "") : "";
    });
    return (model, signal) => {
      signal.addEventListener("abort", () => void fetch(`${baseUrl}/api/chat/${model}/stop`, { method: "POST", headers: { "content-type": "application/json" } }).catch(() => {}), { once: true });
      return read(model, signal);
    };
  },
};

// POSTs one request and yields the text of the SSE `data:` lines as they arrive, a line cut between reads kept for the next.
function sseJson(url: string, bodyOf: (model: string) => object, textOf: (data: unknown) => string): OpenStream {
  return async function* (model, signal) {
    const req = request(url, { method: "POST", headers: { "content-type": "application/json" }, signal });
    req.end(JSON.stringify(bodyOf(model)));
    const [res] = (await once(req, "response")) as [IncomingMessage];
    if (res.statusCode !== 200) throw new Error(`HTTP ${res.statusCode}`);
    res.setEncoding("utf8");
    let carry = "";
    for await (const piece of res as AsyncIterable<string>) {
      const lines = (carry + piece).split("\n");
      carry = lines.pop() ?? "";
      let text = "";
      for (const line of lines) if (line.startsWith("data: {")) text += textOf(JSON.parse(line.slice(6)));
      if (text !== "") yield text;
    }
  };
}
