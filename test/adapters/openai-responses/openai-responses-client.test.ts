import { describe, expect, it } from "vitest";
import OpenAI from "openai";
import { TokenwireError } from "../../../src/index.ts";
import { defaultTokens, type UpstreamUsage } from "../../fixtures/fake-openai.ts";
import { useTokenwireServer } from "../../support/tokenwire-test-server.ts";
import { isIncreasing, runs } from "../../support/collect.ts";
import { deltaText, type StreamEvent } from "./response-events.ts";
import { question, weather } from "./weather-tool.ts";

const apiKey = "sk-tokenwire-caller";
const server = useTokenwireServer({
  allowedModels: ["echo", "agent", "paced-20", "status-429", "gpt-test"],
  authenticate: (headers) => {
    if (headers.get("authorization") !== `Bearer ${apiKey}`) throw new TokenwireError("unauthenticated", "a valid API key is needed");
  },
});

const client = (key = apiKey) => new OpenAI({ apiKey: key, baseURL: `${server.current.baseUrl}/v1`, maxRetries: 0 });
const upstream = () => server.current.upstream.requests.at(-1)!;
const usageOf = ({ prompt_tokens, completion_tokens, total_tokens }: UpstreamUsage) => ({ input_tokens: prompt_tokens, output_tokens: completion_tokens, total_tokens });

async function eventsOf(stream: AsyncIterable<StreamEvent>): Promise<StreamEvent[]> {
  const events: StreamEvent[] = [];
  for await (const event of stream) events.push(event);
  return events;
}

describe("the official openai client's responses against /v1/responses", () => {
  it("should stream a reply as the Responses API's events, numbered in order, and end with the whole response and its usage", async () => {
    const events = await eventsOf(await client().responses.create({ model: "gpt-test", input: "Tell me about wires", stream: true }));
    expect(isIncreasing(events.map((event) => event.sequence_number))).toBe(true);
    expect(runs(events.map((event) => event.type))).toEqual([
      "response.created",
      "response.in_progress",
      "response.output_item.added",
      "response.content_part.added",
      "response.output_text.delta",
      "response.output_text.done",
      "response.content_part.done",
      "response.output_item.done",
      "response.completed",
    ]);
    expect(deltaText(events)).toBe(defaultTokens.join(""));
    const completed = events.at(-1) as OpenAI.Responses.ResponseCompletedEvent;
    expect(completed.response).toMatchObject({
      id: expect.stringMatching(/^resp_[0-9a-f]{32}$/),
      object: "response",
      status: "completed",
      model: "gpt-test",
      output: [{ type: "message", role: "assistant", status: "completed", content: [{ type: "output_text", text: defaultTokens.join("") }] }],
      usage: usageOf(upstream().sent.usage!),
    });
    expect(events.every((event) => !("response" in event) || event.response.id === completed.response.id)).toBe(true);
  });

  it("should answer a call that does not stream with the response object, which the client gives its output_text", async () => {
    const response = await client().responses.create({ model: "echo", input: "one two three" });
    expect(response).toMatchObject({ object: "response", status: "completed", model: "echo", output_text: "one two three", usage: usageOf(upstream().sent.usage!) });
    expect(response.created_at).toBeCloseTo(Date.now() / 1000, -2);
  });

  it("should build the same final response with the client's own stream helper, which checks every event", async () => {
    const final = await client().responses.stream({ model: "echo", input: "one two three" }).finalResponse();
    expect(final).toMatchObject({ status: "completed", output_text: "one two three" });
  });

  it("should pass instructions, input items of every role and kind of text part, temperature and max_output_tokens on to the model", async () => {
    const response = await client().responses.create({
      model: "echo",
      instructions: "Be brief",
      input: [
        { role: "developer", content: "Say little" },
        { role: "user", content: [{ type: "input_text", text: "Hello " }, { type: "input_text", text: "there" }] },
        { type: "message", role: "assistant", content: [{ type: "output_text", text: "Hi", annotations: [] }], id: "msg_1", status: "completed" },
        { role: "user", content: "More" },
      ],
      temperature: 0.5,
      max_output_tokens: 40,
      metadata: { job: "42" },
    });
    expect(upstream().body.messages).toEqual([
      { role: "system", content: "Be brief" },
      { role: "system", content: "Say little" },
      { role: "user", content: "Hello there" },
      { role: "assistant", content: "Hi" },
      { role: "user", content: "More" },
    ]);
    expect(upstream().body).toMatchObject({ temperature: 0.5, max_tokens: 40 });
    expect(response).toMatchObject({ instructions: "Be brief", temperature: 0.5, max_output_tokens: 40, metadata: { job: "42" }, tools: [], tool_choice: "auto" });
  });

  it("should list the models, as GET /v1/models does for every OpenAI client", async () => {
    const models = [];
    for await (const model of client().models.list()) models.push(model.id);
    expect(models).toContain("echo");
  });

  it.each([
    { what: "an unknown model", model: "no-such-model", kind: OpenAI.NotFoundError, status: 404, code: "not_found" },
    { what: "an upstream at its rate limit", model: "status-429", kind: OpenAI.RateLimitError, status: 429, code: "resource_exhausted" },
  ])("should refuse $what with OpenAI's error JSON and the matching status", async ({ model, kind, status, code }) => {
    const failure = await client().responses.create({ model, input: "hi", stream: true }).catch((error: unknown) => error);
    expect(failure).toBeInstanceOf(kind);
    expect(failure).toMatchObject({ status, code, type: expect.any(String) });
  });

  it("should refuse a caller the authenticate hook refuses with 401", async () => {
    const failure = await client("sk-wrong").responses.create({ model: "echo", input: "hi" }).catch((error: unknown) => error);
    expect(failure).toBeInstanceOf(OpenAI.AuthenticationError);
    expect(failure).toMatchObject({ status: 401, code: "unauthenticated" });
  });

  it("should close the upstream's connection when the client stops reading", async () => {
    const stream = await client().responses.create({ model: "paced-20", input: "hi", stream: true });
    const request = upstream();
    for await (const event of stream) if (event.type === "response.output_text.delta") break;
    expect(await request.ended).toBe("client-closed");
    expect(request.tokensSent).toBeLessThan(defaultTokens.length);
  });
});

describe("the official openai client's function tools against /v1/responses", () => {
  it("should stream the model's call as a function_call item, its arguments in pieces, and complete it whole", async () => {
    const events = await eventsOf(await client().responses.create({ model: "agent", input: question, tools: [weather], tool_choice: "required", stream: true }));
    const { body, sent } = upstream();
    expect(body.tools).toEqual([{ type: "function", function: { name: "get_weather", description: weather.description, parameters: weather.parameters } }]);
    expect(body).toMatchObject({ tool_choice: "required" });
    const pieces = events.flatMap((event) => (event.type === "response.function_call_arguments.delta" ? [event.delta] : []));
    expect(pieces.join("")).toBe('{"city":"Paris"}');
    const item = { type: "function_call", call_id: sent.toolCalls[0]!.id, name: "get_weather", arguments: '{"city":"Paris"}', status: "completed" };
    expect(events.find((event) => event.type === "response.output_item.done")).toMatchObject({ item });
    expect(events.at(-1)).toMatchObject({ type: "response.completed", response: { output: [item], tools: [weather], tool_choice: "required" } });
  });

  it("should take the call and its output back in a second turn, as the assistant's call and a tool message, and answer", async () => {
    const first = await client().responses.create({ model: "agent", input: question, tools: [weather], tool_choice: { type: "function", name: "get_weather" } });
    expect(upstream().body).toMatchObject({ tool_choice: { type: "function", function: { name: "get_weather" } } });
    const call = first.output[0] as OpenAI.Responses.ResponseFunctionToolCall;
    expect(call).toMatchObject({ type: "function_call", name: "get_weather", arguments: '{"city":"Paris"}' });
    const second = await client().responses.create({
      model: "agent",
      input: [{ role: "user", content: question }, call, { type: "function_call_output", call_id: call.call_id, output: "Sunny, 24 °C" }],
      tools: [weather],
    });
    expect(second.output_text).toBe("The tool says: Sunny, 24 °C");
    expect(upstream().body.messages.slice(1)).toEqual([
      { role: "assistant", content: "", tool_calls: [{ id: call.call_id, type: "function", function: { name: "get_weather", arguments: '{"city":"Paris"}' } }] },
      { role: "tool", tool_call_id: call.call_id, content: "Sunny, 24 °C" },
    ]);
  });
});

describe("requests /v1/responses refuses with 400, naming what is wrong", () => {
  const post = (body: unknown) =>
    fetch(`${server.current.baseUrl}/v1/responses`, {
      method: "POST",
      headers: { "content-type": "application/json", authorization: `Bearer ${apiKey}` },
      body: typeof body === "string" ? body : JSON.stringify(body),
    });
  const input = "hi";
  const call = { type: "function_call", call_id: "call_1", name: "get_weather", arguments: '{"city":"Paris"}' };
  it.each([
    ["malformed JSON", "{not json", "the request body is not valid JSON"],
    ["a body that is not an object", "[1]", "the request body must be a JSON object"],
    ["no input", { model: "echo" }, "input must be a string or a non-empty array of items"],
    ["an empty input", { input: [] }, "input must be a string or a non-empty array of items"],
    ["an input that is a number", { input: 42 }, "input must be a string or a non-empty array of items"],
    ["an item that is not an object", { input: ["hi"] }, "input[0] must be a JSON object"],
    ["an unknown role", { input: [{ role: "tool", content: "x" }] }, "input[0].role must be system or developer or user or assistant"],
    ["an image part", { input: [{ role: "user", content: [{ type: "input_image", image_url: "x" }] }] }, "input[0].content[0] is a input_image part and only input_text and output_text parts are supported"],
    ["content that is a number", { input: [{ role: "user", content: 42 }] }, "input[0].content must be a string or an array of text parts"],
    ["a built-in tool's call", { input: [{ type: "web_search_call", id: "ws_1" }] }, "input[0].type web_search_call is not supported (message or function_call or function_call_output or reasoning)"],
    ["a function_call without call_id", { input: [{ ...call, call_id: undefined }] }, "input[0].call_id must be a string"],
    ["a function_call whose arguments are not JSON", { input: [call, { type: "function_call_output", call_id: "call_1", output: "x" }].map((item, i) => (i === 0 ? { ...item, arguments: "{city" } : item)) }, "message 0 tool call 0 arguments must be a JSON object"],
    ["a function_call_output with no call before it", { input: [{ type: "function_call_output", call_id: "call_1", output: "x" }] }, "message 0 is a tool result and must name the id of a tool call made before it"],
    ["a function_call_output whose output is a number", { input: [call, { type: "function_call_output", call_id: "call_1", output: 42 }] }, "input[1].output must be a string or an array of text parts"],
    ["instructions that are not a string", { input, instructions: 42 }, "instructions must be a string"],
    ["a temperature that is not a number", { input, temperature: "hot" }, "temperature must be a number"],
    ["a temperature out of range", { input, temperature: 3 }, "temperature must be between 0 and 2"],
    ["stream that is not a boolean", { input, stream: "yes" }, "stream must be a boolean"],
    ["a tool that is not a function", { input, tools: [{ type: "web_search" }] }, "tools[0].type must be function (tokenwire offers function tools only)"],
    ["a tool name with spaces", { input, tools: [{ type: "function", name: "get weather" }] }, "tools[0] name must be 1 to 128 letters or digits or _ . -"],
    ["parameters that are not an object", { input, tools: [{ type: "function", name: "f", parameters: "x" }] }, "tools[0].parameters must be a JSON object"],
    ["an unknown tool_choice", { input, tools: [weather], tool_choice: "always" }, 'tool_choice must be auto or none or required or {"type":"function","name"}'],
    ["tool_choice naming a tool not offered", { input, tools: [weather], tool_choice: { type: "function", name: "other" } }, "tool_choice names a tool the request does not offer"],
    ["previous_response_id that is not a string", { input, previous_response_id: 42 }, "previous_response_id must be a string"],
    ["a reasoning effort", { input, reasoning: { effort: "high" } }, "reasoning is not supported here"],
    ["top_p", { input, top_p: 0.5 }, "top_p is not supported here"],
    ["a JSON text format", { input, text: { format: { type: "json_object" } } }, "text.format json_object is not supported (only text)"],
    ["parallel_tool_calls false", { input, parallel_tool_calls: false }, "parallel_tool_calls false is not supported (a model here may call several tools at once)"],
    ["include", { input, include: ["reasoning.encrypted_content"] }, "include is not supported here"],
    ["automatic truncation", { input, truncation: "auto" }, "truncation must be disabled (the input is never truncated here)"],
    ["background without store", { input, background: true, store: false }, "background true needs store (a background response is kept to be read back)"],
    ["metadata that is not strings", { input, metadata: { n: 1 } }, "metadata holds up to 16 string values (keys up to 64 characters and values up to 512)"],
  ])("%s", async (_what, body, message) => {
    const response = await post(typeof body === "string" ? body : { model: "echo", ...body });
    expect(response.status).toBe(400);
    expect(await response.json()).toEqual({ error: { message, type: "invalid_request_error", param: null, code: "invalid_argument" } });
  });

  const missing = `resp_${"0".repeat(32)}`;
  it.each([
    { method: "GET", path: "/v1/responses/resp_1", status: 400, message: "the response id in the path is not one of this server's (resp_ and 32 hex digits)" },
    { method: "GET", path: `/v1/responses/${missing}`, status: 404, message: "no such stream here (it may have expired)" },
    { method: "GET", path: `/v1/responses/${missing}?stream=true&starting_after=x`, status: 400, message: "starting_after must be a sequence number (an integer of 0 or more)" },
    { method: "GET", path: `/v1/responses/${missing}?starting_after=3`, status: 400, message: "starting_after needs stream=true" },
    { method: "GET", path: `/v1/responses/${missing}?stream=yes`, status: 400, message: "stream must be true or false" },
    { method: "POST", path: `/v1/responses/${missing}/cancel`, status: 404, message: "no such stream here (it may have expired)" },
    { method: "DELETE", path: "/v1/responses/", status: 400, message: "the response id in the path is not one of this server's (resp_ and 32 hex digits)" },
    { method: "DELETE", path: "/v1/responses/resp_1", status: 400, message: "the response id in the path is not one of this server's (resp_ and 32 hex digits)" },
    { method: "DELETE", path: `/v1/responses/${missing}`, status: 404, message: "no such stream here (it may have expired)" },
  ])("$method $path answers $status", async ({ method, path, status, message }) => {
    const response = await fetch(`${server.current.baseUrl}${path}`, { method, headers: { authorization: `Bearer ${apiKey}` } });
    expect(response.status).toBe(status);
    expect(await response.json()).toMatchObject({ error: { message, code: status === 404 ? "not_found" : "invalid_argument" } });
  });

  it.each([
    { what: "a cancel", method: "POST", path: `/v1/responses/${missing}/cancel` },
    { what: "a delete", method: "DELETE", path: `/v1/responses/${missing}` },
  ])("should refuse $what that a page of another origin sent, though it has no body, with 403", async ({ method, path }) => {
    const response = await fetch(`${server.current.baseUrl}${path}`, {
      method,
      headers: { authorization: `Bearer ${apiKey}`, origin: "http://attacker.example", "sec-fetch-site": "cross-site" },
    });
    expect(response.status).toBe(403);
    expect(await response.json()).toMatchObject({ error: { code: "permission_denied" } });
  });
});
