import { afterAll, afterEach, beforeAll, describe, expect, it, vi } from "vitest";
import { DefaultChatTransport, readUIMessageStream, type UIMessage, type UIMessageChunk } from "ai";
import { TokenwireError } from "../../../src/index.ts";
import { tokenwireUIMessageFetchHandler } from "../../../src/adapters/ai-sdk/index.ts";
import { createTokenwireServer, type TokenwireServer } from "../../../src/server/index.ts";
import { answerTokens, defaultTokens, reasoningTokens, startFakeOpenAI, type FakeOpenAI } from "../../fixtures/fake-openai.ts";
import { weatherIn } from "../../support/agents.ts";
import { dialectResolver, dialectTokenwire, saidBeforeFailing } from "../dialect/dialect-models.ts";

const token = "Bearer chat-page";
let upstream: FakeOpenAI;
let server: TokenwireServer;
let baseUrl = "";

beforeAll(async () => {
  upstream = await startFakeOpenAI();
  server = createTokenwireServer({
    resolve: dialectResolver(upstream),
    authenticate: (headers) => {
      if (headers.get("authorization") !== token) throw new TokenwireError("unauthenticated", "sign in first");
    },
  });
  baseUrl = `http://127.0.0.1:${(await server.listen(0, "127.0.0.1")).port}`;
});
afterEach(() => vi.waitFor(() => expect(server.tokenwire.openStreams).toBe(0)));
afterAll(async () => {
  await server?.shutdown(100);
  await upstream?.close();
});

const ask = (text: string, id = "u1"): UIMessage => ({ id, role: "user", parts: [{ type: "text", text }] });
const transport = (body: object = {}, authorization = token) => new DefaultChatTransport<UIMessage>({ api: `${baseUrl}/api/chat`, headers: { authorization }, body });

// Sends as useChat does and reads the reply as it does: each chunk, and the message they build.
async function send(model: string, messages = [ask("What is the weather in Paris?")], signal?: AbortSignal) {
  const stream = await transport({ model }).sendMessages({ chatId: "chat-1", messages, trigger: "submit-message", messageId: undefined, abortSignal: signal });
  const chunks: UIMessageChunk[] = [];
  const errors: unknown[] = [];
  const recorded = stream.pipeThrough(new TransformStream<UIMessageChunk, UIMessageChunk>({ transform: (chunk, controller) => void (chunks.push(chunk), controller.enqueue(chunk)) }));
  let message: UIMessage | undefined;
  for await (const snapshot of readUIMessageStream({ stream: recorded, onError: (error) => errors.push(error) })) message = snapshot;
  return { message, chunks, errors };
}

describe("useChat's DefaultChatTransport against POST /api/chat on createTokenwireServer", () => {
  it("should answer with the UI message stream: its header, start, a text block, finish", async () => {
    const response = await fetch(`${baseUrl}/api/chat`, {
      method: "POST",
      headers: { "content-type": "application/json", authorization: token },
      body: JSON.stringify({ id: "chat-1", messages: [ask("hi")] }),
    });
    expect(response.headers.get("x-vercel-ai-ui-message-stream")).toBe("v1");
    expect(response.headers.get("content-type")).toBe("text/event-stream");
    expect((await response.text()).endsWith("data: [DONE]\n\n")).toBe(true);

    const { message, chunks, errors } = await send("echo", [ask("Hello from useChat")]);
    expect(errors).toEqual([]);
    expect([...new Set(chunks.map((chunk) => chunk.type))]).toEqual(["start", "text-start", "text-delta", "text-end", "finish"]);
    expect(chunks.at(-1)).toEqual({ type: "finish", finishReason: "stop" });
    expect(message?.parts).toEqual([expect.objectContaining({ type: "text", text: "Hello from useChat", state: "done" })]);
  });

  it("should stream a model's reasoning as a reasoning part before its text", async () => {
    const { message } = await send("reasoning");
    expect(message?.parts).toEqual([
      expect.objectContaining({ type: "reasoning", text: reasoningTokens.join(""), state: "done" }),
      expect.objectContaining({ type: "text", text: answerTokens.join(""), state: "done" }),
    ]);
  });

  it("should stream an agent's tool call and its result as a tool part, then the answer", async () => {
    const { message, chunks } = await send("agent");
    expect(chunks.map((chunk) => chunk.type)).toEqual(expect.arrayContaining(["tool-input-start", "tool-input-delta", "tool-input-available", "tool-output-available"]));
    expect(message?.parts).toEqual([
      expect.objectContaining({ type: "tool-get_weather", state: "output-available", input: { city: "Paris" }, output: weatherIn("Paris") }),
      expect.objectContaining({ type: "text", text: `The tool says: ${weatherIn("Paris")}` }),
    ]);
  });

  it("should send the conversation's text and the extra body fields on to the model", async () => {
    const history: UIMessage[] = [
      { id: "s", role: "system", parts: [{ type: "text", text: "Be brief" }] },
      ask("First question", "u1"),
      { id: "a1", role: "assistant", parts: [{ type: "step-start" }, { type: "reasoning", text: "hmm" }, { type: "text", text: "First answer" }] },
      { id: "a2", role: "assistant", parts: [{ type: "dynamic-tool", toolName: "t", toolCallId: "c", state: "output-available", input: {}, output: "x" }] },
      ask("Second question", "u2"),
    ];
    const next = upstream.nextRequest();
    await (await transport({ model: "echo", temperature: 0.3, maxOutputTokens: 50 }).sendMessages({ chatId: "c", messages: history, trigger: "submit-message", messageId: undefined, abortSignal: undefined })).pipeTo(new WritableStream());
    const { body } = await next;
    expect(body.messages).toEqual([
      { role: "system", content: "Be brief" },
      { role: "user", content: "First question" },
      { role: "assistant", content: "First answer" },
      { role: "assistant", content: "", tool_calls: [{ id: "c", type: "function", function: { name: "t", arguments: "{}" } }] },
      { role: "tool", tool_call_id: "c", content: "x" },
      { role: "user", content: "Second question" },
    ]);
    expect(body).toMatchObject({ temperature: 0.3, max_tokens: 50 });
  });

  it("should send an answer's tool parts back to the model as its tool calls and their results, in the order of its steps", async () => {
    const { message } = await send("agent");
    const next = upstream.nextRequest();
    const history = [ask("What is the weather in Paris?"), message!, ask("And tomorrow?", "u2")];
    await (await transport({ model: "echo" }).sendMessages({ chatId: "c2", messages: history, trigger: "submit-message", messageId: undefined, abortSignal: undefined })).pipeTo(new WritableStream());
    const { body } = await next;
    const [call] = body.messages[1]!.tool_calls!;
    expect(body.messages).toEqual([
      { role: "user", content: "What is the weather in Paris?" },
      { role: "assistant", content: "", tool_calls: [{ id: call!.id, type: "function", function: { name: "get_weather", arguments: '{"city":"Paris"}' } }] },
      { role: "tool", tool_call_id: call!.id, content: weatherIn("Paris") },
      { role: "assistant", content: `The tool says: ${weatherIn("Paris")}` },
      { role: "user", content: "And tomorrow?" },
    ]);
  });

  it("should send each step's text before its calls, an error or a denial as the result, and leave out a call with no result", async () => {
    const part = (state: string, id: string, more: object) => ({ type: "dynamic-tool", toolName: "lookup", toolCallId: id, state, input: { q: id }, ...more });
    const answer = {
      id: "a",
      role: "assistant",
      parts: [
        { type: "step-start" },
        { type: "text", text: "Looking." },
        part("output-error", "c1", { errorText: "no network" }),
        part("output-denied", "c2", { approval: { id: "p", approved: false, reason: "not now" } }),
        { type: "step-start" },
        { type: "tool-search", toolCallId: "c3", state: "input-available", input: { q: "x" } },
        { type: "text", text: "Stopped." },
      ],
    };
    const next = upstream.nextRequest();
    await (await transport({ model: "echo" }).sendMessages({ chatId: "c3", messages: [ask("Look it up"), answer as UIMessage, ask("Well?", "u2")], trigger: "submit-message", messageId: undefined, abortSignal: undefined })).pipeTo(new WritableStream());
    const { body } = await next;
    const called = (id: string) => ({ id, type: "function", function: { name: "lookup", arguments: JSON.stringify({ q: id }) } });
    expect(body.messages.slice(1, -1)).toEqual([
      { role: "assistant", content: "Looking.", tool_calls: [called("c1"), called("c2")] },
      { role: "tool", tool_call_id: "c1", content: "no network" },
      { role: "tool", tool_call_id: "c2", content: "The tool call was denied: not now" },
      { role: "assistant", content: "Stopped." },
    ]);
  });

  it("should end a stream that fails after some text with an error chunk, which the reader reports after that text", async () => {
    const { message, chunks, errors } = await send("fails-midway");
    expect(message?.parts).toEqual([expect.objectContaining({ type: "text", text: saidBeforeFailing.join("") })]);
    expect(chunks.at(-1)).toEqual({ type: "error", errorText: "the model is unavailable (upstream HTTP 503)" });
    expect(errors).toEqual([new Error("the model is unavailable (upstream HTTP 503)")]);
  });

  it.each([
    { what: "an unknown model", model: "no-such-model", authorization: token, status: 404, message: /^model "no-such-model" is not offered here/ },
    { what: "an upstream at its rate limit", model: "status-429", authorization: token, status: 429, message: /^the model is rate limited \(upstream HTTP 429\)$/ },
    { what: "a caller the authenticate hook refuses", model: "echo", authorization: "Bearer wrong", status: 401, message: /^sign in first$/ },
  ])("should refuse $what with its HTTP status, and the words the client shows as its error", async ({ model, authorization, status, message }) => {
    const sending = transport({ model }, authorization).sendMessages({ chatId: "c", messages: [ask("hi")], trigger: "submit-message", messageId: undefined, abortSignal: undefined });
    await expect(sending).rejects.toMatchObject({ statusCode: status, message: expect.stringMatching(message) });
  });

  // A chat's answer outlives its request, to be resumed: see ui-message-resume.test.ts for useChat's stop().
  it("should close the upstream's connection when a client that sent no chat id goes away", async () => {
    const controller = new AbortController();
    const next = upstream.nextRequest();
    const response = await fetch(`${baseUrl}/api/chat`, {
      method: "POST",
      headers: { "content-type": "application/json", authorization: token },
      body: JSON.stringify({ messages: [ask("hi")], model: "paced-20" }),
      signal: controller.signal,
    });
    const reader = response.body!.getReader();
    while (!new TextDecoder().decode((await reader.read()).value).includes("text-delta"));
    controller.abort();
    const request = await next;
    expect(await request.ended).toBe("client-closed");
    expect(request.tokensSent).toBeLessThan(defaultTokens.length);
  });

  it("should tell reconnectToStream that a chat whose answer has ended has no stream to resume, with 204", async () => {
    expect(await transport().reconnectToStream({ chatId: "chat-1" })).toBeNull();
  });
});

describe("the routes of one chat refuse what is malformed", () => {
  const request = (method: string, path: string) => fetch(`${baseUrl}${path}`, { method, headers: { authorization: token, "content-type": "application/json" } });
  it.each([
    ["GET", "/api/chat/%E0%A4/stream", 400, "the chat id in the path is not valid percent-encoding"],
    ["POST", "/api/chat/%E0%A4/stop", 400, "the chat id in the path is not valid percent-encoding"],
    ["POST", "/api/chat/no-such-chat/stop", 404, "no such stream here (it may have expired)"],
    // Not a route of the chat's: the server's own 404.
    ["GET", "/api/chat/chat-1/stream/more", 404, undefined],
    ["GET", "/api/chat//stream", 404, undefined],
    ["DELETE", "/api/chat/chat-1/stream", 404, undefined],
  ])("%s %s with %i", async (...[method, path, status, message]) => {
    const response = await request(method, path);
    expect(response.status).toBe(status);
    if (message !== undefined) expect(await response.text()).toBe(message);
  });
});

describe("POST /api/chat refuses with 400", () => {
  it.each([
    ["malformed JSON", "{not json", "the request body is not valid JSON"],
    ["no messages", { id: "c" }, "messages must be a non-empty array"],
    ["empty messages", { messages: [] }, "messages must be a non-empty array"],
    ["a message without parts", { messages: [{ id: "m", role: "user", content: "hi" }] }, "messages[0].parts must be an array"],
    ["a model that is not a string", { messages: [ask("hi")], model: 4 }, "model must be a string"],
    ["a file part", { messages: [{ id: "m", role: "user", parts: [{ type: "file", mediaType: "image/png", url: "data:," }] }] }, "messages[0] has a file part and only text parts are supported"],
    ["a tool part in a user message", { messages: [{ id: "m", role: "user", parts: [{ type: "tool-f", toolCallId: "c", state: "output-available", input: {}, output: 1 }] }] }, "messages[0] has a tool-f part and only an assistant message may hold tool parts"],
    ["a tool part whose input is not an object", { messages: [{ id: "m", role: "assistant", parts: [{ type: "tool-f", toolCallId: "c", state: "output-available", input: [1], output: 1 }] }] }, "messages[0] has a tool-f part whose input is not a JSON object"],
    ["a tool part without a toolCallId", { messages: [{ id: "m", role: "assistant", parts: [{ type: "tool-f", state: "output-error", input: {}, errorText: "e" }] }] }, "messages[0] has a tool-f part without a toolCallId"],
    ["an empty user message", { messages: [ask(" ")] }, "message 0 needs a role (system or user or assistant or tool) and content"],
    ["a chat id with a space", { id: "chat 1", messages: [ask("hi")] }, "a stream id is 1 to 128 letters or digits or _ . : ~ -"],
    ["a chat id that is not a string", { id: 7, messages: [ask("hi")] }, "id must be a string"],
    ["a tool error whose errorText is an object", { messages: [{ id: "m", role: "assistant", parts: [{ type: "tool-f", toolCallId: "c", state: "output-error", input: {}, errorText: { toString: 1 } }] }, ask("hi")] }, "messages[0] has a tool-f part whose errorText is not a string"],
    ["a tool output nested deeper than 64 levels", `{"messages":[{"id":"m","role":"assistant","parts":[{"type":"tool-f","toolCallId":"c","state":"output-available","input":{},"output":${"[".repeat(100_000)}${"]".repeat(100_000)}}]},${JSON.stringify(ask("hi"))}]}`, "the request body nests JSON deeper than 64 levels"],
    ["an empty body", "", "the request body must be a JSON object"],
  ])("%s", async (_what, body, message) => {
    const response = await fetch(`${baseUrl}/api/chat`, {
      method: "POST",
      headers: { "content-type": "application/json", authorization: token },
      body: typeof body === "string" ? body : JSON.stringify(body),
    });
    expect(response.status).toBe(400);
    expect(await response.text()).toBe(message);
  });
});

describe("tokenwireUIMessageFetchHandler()", () => {
  it("should serve useChat on a path of its own, and the app otherwise", async () => {
    const handler = tokenwireUIMessageFetchHandler(dialectTokenwire(upstream), { path: "/chat", fallback: async () => new Response("your app\n") });
    const fetchViaHandler = (async (input: RequestInfo | URL, init?: RequestInit) => handler(new Request(input, init))) as typeof fetch;
    const chat = new DefaultChatTransport<UIMessage>({ api: "http://tokenwire.test/chat", fetch: fetchViaHandler });
    const stream = await chat.sendMessages({ chatId: "c", messages: [ask("through fetch")], trigger: "submit-message", messageId: undefined, abortSignal: undefined });
    let message: UIMessage | undefined;
    for await (const snapshot of readUIMessageStream({ stream })) message = snapshot;
    expect(message?.parts).toEqual([expect.objectContaining({ type: "text", text: "through fetch" })]);
    expect(await chat.reconnectToStream({ chatId: "c" })).toBeNull();
    expect(await (await handler(new Request("http://tokenwire.test/api/chat", { method: "POST" }))).text()).toBe("your app\n");
  });
});
