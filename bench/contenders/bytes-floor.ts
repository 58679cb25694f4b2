import type { OpenStream } from "../lib/harness.ts";

/**
 * The physical floor: the same upstream read with `fetch` and its SSE parsed
 * by hand, with no LangChain and no model client, in process. What it costs is
 * what reading a model's bytes costs; every other row pays this and more.
 */
export function bytesFloorStream(upstreamUrl: string): OpenStream {
  const url = `${upstreamUrl}/chat/completions`;
  return async function* (model, signal) {
    const body = JSON.stringify({ model, stream: true, stream_options: { include_usage: true }, messages: [{ role: "user", content: "hi" }] });
    const reply = await fetch(url, { method: "POST", headers: { "content-type": "application/json" }, body, signal });
    if (!reply.ok || !reply.body) throw new Error(`upstream answered ${reply.status}`);
    const decoder = new TextDecoder();
    let buffered = "";
    const reader = reply.body.getReader();
    for (let read = await reader.read(); !read.done; read = await reader.read()) {
      buffered += decoder.decode(read.value, { stream: true });
      let end: number;
      while ((end = buffered.indexOf("\n\n")) >= 0) {
        const text = contentOf(buffered.slice(0, end));
        buffered = buffered.slice(end + 2);
        if (text) yield text;
      }
    }
  };
}

// One SSE event's `data:` line, read as a chat completion chunk's delta text; `[DONE]` and usage carry none.
function contentOf(event: string): string | undefined {
  if (!event.startsWith("data: ") || event === "data: [DONE]") return undefined;
  const chunk = JSON.parse(event.slice(6)) as { choices?: { delta?: { content?: string } }[] };
  return chunk.choices?.[0]?.delta?.content;
}
