import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest";
import { DefaultChatTransport, readUIMessageStream, type UIMessage, type UIMessageChunk } from "ai";
import { createClient } from "@connectrpc/connect";
import { createConnectTransport } from "@connectrpc/connect-node";
import { TokenService, type StreamTokensResponse } from "../../../gen/tokenwire/v1/token_service_pb.js";
import { createRedisStreamLog } from "../../../src/adapters/redis/index.ts";
import type { StreamLog } from "../../../src/index.ts";
import { defaultTokens } from "../../fixtures/fake-openai.ts";
import { startRedisServer, type RedisServer } from "../../fixtures/redis-server.ts";
import { startTokenwireServer, type TestServer } from "../../support/tokenwire-test-server.ts";
import { deltaTextOf } from "../../support/stream-text.ts";
import { skipWithout } from "../../support/test-tiers.ts";
import { readAll } from "../../support/read-stream.ts";

const everyText = defaultTokens.join("");
const ask = (text: string): UIMessage => ({ id: "u1", role: "user", parts: [{ type: "text", text }] });
const newChatId = () => `chat-${crypto.randomUUID()}`;

// useChat's stop() aborts the request; a resumable answer outlives that, so the page asks the server to stop it too.
// The stopping fetch of docs/ai-sdk.md for useChat users, as they would paste it.
const stoppingFetch: typeof fetch = (input, init) => {
  if (init?.method === "POST" && typeof init.body === "string") {
    const { id } = JSON.parse(init.body) as { id: string };
    const stop = () => void fetch(`${String(input)}/${encodeURIComponent(id)}/stop`, { method: "POST", headers: init.headers });
    init.signal?.addEventListener("abort", stop, { once: true });
  }
  return fetch(input, init);
};

// The logs a chat's answers may live in: this process's memory, and Redis shared by replicas, where there is a redis-server.
type LogRow = [string, ((redis: RedisServer) => Promise<StreamLog>) | undefined];
const redisLog: LogRow = ["the Redis log", (redis) => createRedisStreamLog({ url: redis.url, heartbeatMs: 100 })];
const logs: LogRow[] = [["the in-memory log", undefined], ...(skipWithout("redis") ? [] : [redisLog])];

describe.each(logs)("useChat's resumption and stop against POST /api/chat, with %s", (_name, createLog) => {
  let redis: RedisServer;
  let log: StreamLog | undefined;
  let server: TestServer;
  beforeAll(async () => {
    if (createLog) {
      redis = await startRedisServer();
      log = await createLog(redis);
    }
    // Callers name themselves by their bearer token: enough to prove that a chat's answer is its caller's alone.
    server = await startTokenwireServer({ streams: { log, graceMs: 5000 }, authenticate: (headers) => headers.get("authorization")?.slice("Bearer ".length) });
  });
  afterEach(() => server.settled());
  afterAll(async () => {
    await server?.close();
    await log?.close();
    await redis?.stop();
  });

  const api = () => `${server.baseUrl}/api/chat`;
  const transport = (options: { model?: string; caller?: string; fetch?: typeof fetch } = {}) =>
    new DefaultChatTransport<UIMessage>({ api: api(), headers: { authorization: `Bearer ${options.caller ?? "alice"}` }, body: { model: options.model ?? "paced-20" }, fetch: options.fetch });
  const send = (chatId: string, options: Parameters<typeof transport>[0] & { signal?: AbortSignal } = {}) =>
    transport(options).sendMessages({ chatId, messages: [ask("hi")], trigger: "submit-message", messageId: undefined, abortSignal: options.signal });

  // Reads chunks until one of this type, then leaves the rest unread.
  async function readUntil(stream: ReadableStream<UIMessageChunk>, type: UIMessageChunk["type"]): Promise<UIMessageChunk[]> {
    const chunks: UIMessageChunk[] = [];
    const reader = stream.getReader();
    for (let next = await reader.read(); !next.done; next = await reader.read()) {
      chunks.push(next.value);
      if (next.value.type === type) break;
    }
    reader.releaseLock();
    return chunks;
  }

  async function messageOf(stream: ReadableStream<UIMessageChunk>) {
    const chunks: UIMessageChunk[] = [];
    const recorded = stream.pipeThrough(new TransformStream<UIMessageChunk, UIMessageChunk>({ transform: (chunk, controller) => void (chunks.push(chunk), controller.enqueue(chunk)) }));
    let message: UIMessage | undefined;
    for await (const snapshot of readUIMessageStream({ stream: recorded })) message = snapshot;
    const text = message?.parts.map((part) => (part.type === "text" ? part.text : "")).join("");
    return { message, chunks, text };
  }

  it("should replay a dropped answer whole from its start to reconnectToStream, while the model goes on", async () => {
    const chatId = newChatId();
    const dropped = new AbortController();
    const upstream = server.upstream.nextRequest();
    const first = await readUntil(await send(chatId, { signal: dropped.signal }), "text-delta");
    dropped.abort();
    const resumed = await transport().reconnectToStream({ chatId });
    expect(resumed).not.toBeNull();
    const { message, chunks, text } = await messageOf(resumed!);
    // The AI SDK's reconnect is a replay (`resumeStreamIsReplay`): the same message from `start` again.
    expect(chunks[0]).toEqual(first[0]);
    expect(message?.id).toBe((first[0] as { messageId: string }).messageId);
    expect(text).toBe(everyText);
    expect(chunks.at(-1)).toEqual({ type: "finish", finishReason: "stop" });
    expect(await (await upstream).ended).toBe("completed");
  });

  it("should answer reconnectToStream with 204 for a chat with no answer generating: never asked, or answered", async () => {
    expect(await transport().reconnectToStream({ chatId: newChatId() })).toBeNull();
    const chatId = newChatId();
    expect((await messageOf(await send(chatId, { model: "echo" }))).text).toBe("hi");
    expect(await transport().reconnectToStream({ chatId })).toBeNull();
  });

  it("should keep a chat's answer from another caller, to whom its id is any other: nothing to resume, nothing to stop, a chat of its own", async () => {
    const chatId = newChatId();
    const stream = await send(chatId);
    await readUntil(stream, "text-delta");
    expect(await transport({ caller: "mallory" }).reconnectToStream({ chatId })).toBeNull();
    const stop = await fetch(`${api()}/${chatId}/stop`, { method: "POST", headers: { authorization: "Bearer mallory", "content-type": "application/json" } });
    expect([stop.status, await stop.text()]).toEqual([404, "no such stream here (it may have expired)"]);
    expect((await messageOf(await send(chatId, { caller: "mallory", model: "echo" }))).text).toBe("hi");
    // Alice's answer went on untouched.
    expect((await readUntil(stream, "finish")).at(-1)).toEqual({ type: "finish", finishReason: "stop" });
  });

  it("should stop the model through POST /api/chat/:id/stop when useChat's stop() aborts, ending every reader with abort", async () => {
    const chatId = newChatId();
    const stop = new AbortController();
    const upstream = server.upstream.nextRequest();
    await readUntil(await send(chatId, { fetch: stoppingFetch, signal: stop.signal }), "text-delta");
    const resumed = await transport().reconnectToStream({ chatId });
    stop.abort();
    const { chunks } = await messageOf(resumed!);
    expect(chunks.at(-1)).toEqual({ type: "abort", reason: "stopped" });
    const request = await upstream;
    expect(await request.ended).toBe("client-closed");
    expect(request.tokensSent).toBeLessThan(defaultTokens.length);
    const again = await fetch(`${api()}/${chatId}/stop`, { method: "POST", headers: { authorization: "Bearer alice", "content-type": "application/json" } });
    expect(await again.json()).toEqual({ stopped: false });
  });

  it("should stop the answer still generating when the chat sends its next message, and answer that one", async () => {
    const chatId = newChatId();
    const upstream = server.upstream.nextRequest();
    const dropped = new AbortController();
    await readUntil(await send(chatId, { signal: dropped.signal }), "text-delta");
    dropped.abort();
    const next = await messageOf(await send(chatId, { model: "echo" }));
    expect(next.text).toBe("hi");
    expect(await (await upstream).ended).toBe("client-closed");
    expect(await transport().reconnectToStream({ chatId })).toBeNull();
  });

  describe("one stream, two wires", () => {
    const connect = () => createClient(TokenService, createConnectTransport({ baseUrl: server.baseUrl, httpVersion: "1.1" }));
    const headers = { authorization: "Bearer alice" };

    it("should resume on the AI SDK route a stream started with StreamTokens over Connect", async () => {
      const dropped = new AbortController();
      const call = connect().streamTokens({ generation: { input: { case: "prompt", value: "hi" }, model: "paced-20" }, resumable: true }, { headers, signal: dropped.signal });
      const iterator = call[Symbol.asyncIterator]();
      const started = (await iterator.next()).value as StreamTokensResponse;
      const streamId = started.event.case === "started" ? started.event.value.streamId : "";
      await iterator.next();
      dropped.abort();
      await iterator.return?.();
      const { text, chunks } = await messageOf((await transport().reconnectToStream({ chatId: streamId }))!);
      expect(text).toBe(everyText);
      expect(chunks.at(-1)).toEqual({ type: "finish", finishReason: "stop" });
    });

    it("should resume with ResumeStream over Connect, by the chat's id, an answer started on /api/chat", async () => {
      const chatId = newChatId();
      const dropped = new AbortController();
      const first = await readUntil(await send(chatId, { signal: dropped.signal }), "start");
      dropped.abort();
      const responses = await readAll(connect().resumeStream({ streamId: chatId, afterSequence: 0n }, { headers }));
      expect(deltaTextOf(responses)).toBe(everyText);
      expect(responses.at(-1)?.event.case).toBe("finished");
      expect(first).toEqual([expect.objectContaining({ type: "start" })]);
    });
  });
});
