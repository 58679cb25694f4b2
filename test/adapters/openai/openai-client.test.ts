import { describe, expect, it } from "vitest";
import OpenAI from "openai";
import { TokenwireError } from "../../../src/index.ts";
import { defaultTokens } from "../../fixtures/fake-openai.ts";
import { useTokenwireServer } from "../../support/tokenwire-test-server.ts";

const apiKey = "sk-tokenwire-caller";
const offered = ["echo", "paced-20", "status-429", "status-503", "gpt-test"];
const server = useTokenwireServer({
  allowedModels: offered,
  authenticate: (headers) => {
    if (headers.get("authorization") !== `Bearer ${apiKey}`) throw new TokenwireError("unauthenticated", "a valid API key is needed");
  },
});

const client = (key = apiKey) => new OpenAI({ apiKey: key, baseURL: `${server.current.baseUrl}/v1`, maxRetries: 0 });
const messages = [{ role: "user" as const, content: "Tell me about wires" }];
const post = (body: unknown) =>
  fetch(`${server.current.baseUrl}/v1/chat/completions`, {
    method: "POST",
    headers: { "content-type": "application/json", authorization: `Bearer ${apiKey}` },
    body: typeof body === "string" ? body : JSON.stringify(body),
  });

describe("the official openai client against /v1", () => {
  it("should stream the reply as chat.completion.chunk objects: the role first, the text, the finish reason, then the usage", async () => {
    const stream = await client().chat.completions.create({ model: "gpt-test", messages, stream: true, stream_options: { include_usage: true } });
    const chunks: OpenAI.ChatCompletionChunk[] = [];
    for await (const chunk of stream) chunks.push(chunk);
    const upstream = server.current.upstream.requests.at(-1)!;
    expect(chunks[0]).toMatchObject({ object: "chat.completion.chunk", model: "gpt-test", choices: [{ index: 0, delta: { role: "assistant" } }] });
    expect(chunks.every((chunk) => chunk.id === chunks[0]!.id && chunk.id.startsWith("chatcmpl-"))).toBe(true);
    expect(chunks.map((chunk) => chunk.choices[0]?.delta.content ?? "").join("")).toBe(defaultTokens.join(""));
    expect(chunks.at(-2)?.choices[0]?.finish_reason).toBe("stop");
    expect(chunks.at(-1)?.choices).toEqual([]);
    expect(chunks.at(-1)?.usage).toEqual(upstream.sent.usage);
  });

  it("should answer a call that does not stream with one chat.completion object and its usage", async () => {
    const completion = await client().chat.completions.create({ model: "echo", messages: [{ role: "user", content: "one two three" }] });
    expect(completion).toMatchObject({ object: "chat.completion", model: "echo", choices: [{ index: 0, message: { role: "assistant", content: "one two three" }, finish_reason: "stop" }] });
    expect(completion.usage).toEqual(server.current.upstream.requests.at(-1)!.sent.usage);
  });

  it("should pass the messages, developer role and text parts included, temperature, max tokens and stop on to the model", async () => {
    await client().chat.completions.create({
      model: "echo",
      messages: [
        { role: "developer", content: "Be brief" },
        { role: "user", content: [{ type: "text", text: "Hello " }, { type: "text", text: "there" }] },
        { role: "assistant", content: "Hi" },
        { role: "user", content: "More" },
      ],
      temperature: 0.5,
      max_completion_tokens: 40,
      stop: ["END"],
    });
    const { body } = server.current.upstream.requests.at(-1)!;
    expect(body.messages).toEqual([
      { role: "system", content: "Be brief" },
      { role: "user", content: "Hello there" },
      { role: "assistant", content: "Hi" },
      { role: "user", content: "More" },
    ]);
    expect(body).toMatchObject({ temperature: 0.5, max_tokens: 40, stop: ["END"] });
  });

  it("should list the models that ListModels lists", async () => {
    const models = [];
    for await (const model of client().models.list()) models.push(model);
    expect(models.map((model) => model.id)).toEqual(server.current.server.tokenwire.models.models);
    expect(models[0]).toMatchObject({ object: "model", owned_by: "tokenwire" });
  });

  it.each([
    { what: "an unknown model", model: "no-such-model", kind: OpenAI.NotFoundError, status: 404, code: "not_found" },
    { what: "an upstream at its rate limit", model: "status-429", kind: OpenAI.RateLimitError, status: 429, code: "resource_exhausted" },
    { what: "an upstream that is down", model: "status-503", kind: OpenAI.InternalServerError, status: 503, code: "unavailable" },
  ])("should refuse $what with OpenAI's error JSON and the matching status", async ({ model, kind, status, code }) => {
    const failure = await client().chat.completions.create({ model, messages, stream: true }).catch((error: unknown) => error);
    expect(failure).toBeInstanceOf(kind);
    expect(failure).toMatchObject({ status, code, type: expect.any(String) });
    if (status === 429) expect((failure as InstanceType<typeof OpenAI.APIError>).headers?.get("retry-after")).toBe("1");
  });

  it("should refuse a caller the authenticate hook refuses with 401, from the same Bearer header as every wire", async () => {
    const failure = await client("sk-wrong").chat.completions.create({ model: "echo", messages }).catch((error: unknown) => error);
    expect(failure).toBeInstanceOf(OpenAI.AuthenticationError);
    expect(failure).toMatchObject({ status: 401, code: "unauthenticated", message: expect.stringContaining("a valid API key is needed") });
  });

  it("should close the upstream's connection when the client stops reading", async () => {
    const stream = await client().chat.completions.create({ model: "paced-20", messages, stream: true });
    const upstream = server.current.upstream.requests.at(-1)!;
    for await (const chunk of stream) if (chunk.choices[0]?.delta.content) break;
    expect(await upstream.ended).toBe("client-closed");
    expect(upstream.tokensSent).toBeLessThan(defaultTokens.length);
  });
});

describe("requests /v1/chat/completions refuses with 400", () => {
  it.each([
    ["malformed JSON", "{not json", "the request body is not valid JSON"],
    ["a body that is not an object", "[1]", "the request body must be a JSON object"],
    ["no messages", { model: "echo" }, "messages must be a non-empty array"],
    ["empty messages", { messages: [] }, "messages must be a non-empty array"],
    ["messages that are not an array", { messages: "hi" }, "messages must be an array"],
    ["a temperature that is not a number", { messages, temperature: "hot" }, "temperature must be a number"],
    ["stream that is not a boolean", { messages, stream: "yes" }, "stream must be a boolean"],
    ["content that is neither text nor parts", { messages: [{ role: "user", content: 42 }] }, "messages[0].content must be a string or an array of text parts"],
    ["an image part", { messages: [{ role: "user", content: [{ type: "image_url", image_url: { url: "x" } }] }] }, "messages[0].content may hold text parts only (not image_url)"],
    ["an unknown role", { messages: [{ role: "function", content: "x" }] }, "messages[0].role must be system or developer or user or assistant or tool"],
    ["an empty message", { messages: [{ role: "user", content: " " }] }, "message 0 needs a role (system or user or assistant or tool) and content"],
    ["a temperature out of range", { messages, temperature: 3 }, "temperature must be between 0 and 2"],
    ["too many stop sequences", { messages, stop: ["a", "b", "c", "d", "e"] }, "stop must be a string or an array of up to 4 non-empty strings"],
    ["more than one choice", { messages, n: 2 }, "n must be 1 (tokenwire streams one choice)"],
    ["log probabilities", { messages, logprobs: true }, "logprobs is not supported: tokenwire returns no log probabilities"],
    ["top log probabilities", { messages, top_logprobs: 2 }, "top_logprobs is not supported: tokenwire returns no log probabilities"],
    ["a JSON response format", { messages, response_format: { type: "json_object" } }, "response_format is not supported: tokenwire passes none to the model (ask for JSON in the messages instead)"],
    ["audio out", { messages, modalities: ["text", "audio"] }, "modalities other than text are not supported: tokenwire streams text only"],
    ["an audio voice", { messages, audio: { voice: "alloy", format: "mp3" } }, "audio is not supported: tokenwire streams text only"],
    ["one tool call at a time", { messages, parallel_tool_calls: false }, "parallel_tool_calls false is not supported: the model may make several tool calls at once"],
    ["the older function_call", { messages, function_call: "auto" }, "function_call is not supported: send tool_choice instead"],
    ["OpenAI's web search", { messages, web_search_options: {} }, "web_search_options is not supported: OpenAI's built-in tools run on OpenAI's side"],
    ["a body nested deeper than 64 levels", `{"messages":${JSON.stringify(messages)},"metadata":${"[".repeat(100_000)}${"]".repeat(100_000)}}`, "the request body nests JSON deeper than 64 levels"],
    ["tool parameters nested deeper than 64 levels", { messages, tools: [{ type: "function", function: { name: "f", parameters: nested(64) } }] }, "the request body nests JSON deeper than 64 levels"],
  ])("%s", async (_what, body, message) => {
    const asked = server.current.upstream.requests.length;
    const response = await post(body);
    expect(response.status).toBe(400);
    expect(await response.json()).toEqual({ error: { message, type: "invalid_request_error", param: null, code: "invalid_argument" } });
    expect(server.current.upstream.requests.length).toBe(asked);
  });

  it("should take the fields it refuses when they hold OpenAI's defaults, which ask for nothing more", async () => {
    const defaults = { n: 1, logprobs: false, response_format: { type: "text" }, modalities: ["text"], parallel_tool_calls: true, functions: [], audio: null };
    const response = await post({ model: "echo", messages, ...defaults });
    expect(response.status).toBe(200);
    expect((await response.json()).choices[0].message.content).toBe("Tell me about wires");
  });
});

describe("/v1 answers what it does not serve in OpenAI's words", () => {
  it.each([
    ["GET", "/v1/embeddings"],
    ["POST", "/v1/embeddings"],
    ["GET", "/v1/chat/completions"],
    ["DELETE", "/v1/models"],
  ])("%s %s with 404 and OpenAI's error JSON", async (method, path) => {
    const response = await fetch(`${server.current.baseUrl}${path}`, { method, headers: { authorization: `Bearer ${apiKey}` } });
    expect(response.status).toBe(404);
    expect(response.headers.get("content-type")).toBe("application/json");
    expect(await response.json()).toEqual({ error: { message: `there is no ${method} ${path} here`, type: "invalid_request_error", param: null, code: "not_found" } });
  });

  it("should throw the client's own NotFoundError for it", async () => {
    const failure = await client().embeddings.create({ model: "echo", input: "hi" }).catch((error: unknown) => error);
    expect(failure).toBeInstanceOf(OpenAI.NotFoundError);
    expect(failure).toMatchObject({ status: 404, code: "not_found", message: expect.stringContaining("there is no POST /v1/embeddings here") });
  });
});

// A JSON Schema whose properties nest `depth` objects deep, each level two JSON levels (`properties`, then the property).
function nested(depth: number): object {
  let schema: object = { type: "string" };
  for (let level = 0; level < depth / 2; level++) schema = { type: "object", properties: { a: schema } };
  return schema;
}
