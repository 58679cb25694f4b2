import { describe, expect, it } from "vitest";
import OpenAI from "openai";
import { useTokenwireServer } from "../../support/tokenwire-test-server.ts";

// `agent` is the fake upstream's tool-calling script; `echo` answers what it is told.
const server = useTokenwireServer({ allowedModels: ["agent", "echo"] });

const client = () => new OpenAI({ apiKey: "unused", baseURL: `${server.current.baseUrl}/v1`, maxRetries: 0 });
const weather: OpenAI.ChatCompletionFunctionTool = {
  type: "function",
  function: { name: "get_weather", description: "The weather in a city", parameters: { type: "object", properties: { city: { type: "string" } }, required: ["city"] } },
};
const question: OpenAI.ChatCompletionMessageParam = { role: "user", content: "What is the weather in Paris?" };
const post = (body: unknown) =>
  fetch(`${server.current.baseUrl}/v1/chat/completions`, { method: "POST", headers: { "content-type": "application/json" }, body: JSON.stringify(body) });

describe("the official openai client's tools against /v1", () => {
  it("should bind the request's tools and tool_choice to the model, and stream its call as delta.tool_calls with finish_reason tool_calls", async () => {
    const stream = await client().chat.completions.create({ model: "agent", messages: [question], tools: [weather], tool_choice: "required", stream: true });
    const chunks: OpenAI.ChatCompletionChunk[] = [];
    for await (const chunk of stream) chunks.push(chunk);
    const { body, sent } = server.current.upstream.requests.at(-1)!;
    expect(body.tools).toEqual([weather]);
    expect(body).toMatchObject({ tool_choice: "required" });
    const pieces = chunks.flatMap((chunk) => chunk.choices[0]?.delta.tool_calls ?? []);
    expect(pieces[0]).toEqual({ index: 0, id: sent.toolCalls[0]!.id, type: "function", function: { name: "get_weather", arguments: "" } });
    expect(pieces.every((piece) => piece.index === 0)).toBe(true);
    expect(pieces.map((piece) => piece.function?.arguments).join("")).toBe('{"city":"Paris"}');
    expect(chunks.at(-1)?.choices[0]?.finish_reason).toBe("tool_calls");
  });

  it("should answer a call that does not stream with message.tool_calls, and a named tool_choice as OpenAI's object", async () => {
    const completion = await client().chat.completions.create({ model: "agent", messages: [question], tools: [weather], tool_choice: { type: "function", function: { name: "get_weather" } } });
    const { body, sent } = server.current.upstream.requests.at(-1)!;
    expect(body).toMatchObject({ tool_choice: { type: "function", function: { name: "get_weather" } } });
    expect(completion.choices[0]).toMatchObject({
      finish_reason: "tool_calls",
      message: { role: "assistant", content: null, tool_calls: [{ id: sent.toolCalls[0]!.id, type: "function", function: { name: "get_weather", arguments: '{"city":"Paris"}' } }] },
    });
  });

  it("should send the tool's result back in a second turn, as the assistant's call and a tool message, and stream the answer", async () => {
    const first = await client().chat.completions.create({ model: "agent", messages: [question], tools: [weather] });
    const call = (first.choices[0]!.message.tool_calls![0] as OpenAI.ChatCompletionMessageFunctionToolCall)!;
    const history: OpenAI.ChatCompletionMessageParam[] = [question, first.choices[0]!.message, { role: "tool", tool_call_id: call.id, content: "Sunny, 24 °C" }];
    const stream = await client().chat.completions.create({ model: "agent", messages: history, tools: [weather], stream: true });
    let text = "";
    for await (const chunk of stream) text += chunk.choices[0]?.delta.content ?? "";
    expect(text).toBe("The tool says: Sunny, 24 °C");
    const { body } = server.current.upstream.requests.at(-1)!;
    expect(body.messages.slice(1)).toEqual([
      { role: "assistant", content: "", tool_calls: [{ id: call.id, type: "function", function: { name: "get_weather", arguments: '{"city":"Paris"}' } }] },
      { role: "tool", tool_call_id: call.id, content: "Sunny, 24 °C" },
    ]);
  });

  it("should leave the model that requests share without the tools a request bound", async () => {
    await client().chat.completions.create({ model: "agent", messages: [question], tools: [weather] });
    const completion = await client().chat.completions.create({ model: "agent", messages: [question] });
    expect(server.current.upstream.requests.at(-1)!.body.tools).toBeUndefined();
    expect(completion.choices[0]).toMatchObject({ finish_reason: "stop", message: { content: "What is the weather in Paris?" } });
  });
});

describe("/v1/chat/completions refuses malformed tools with 400", () => {
  const call = { id: "call_1", type: "function", function: { name: "get_weather", arguments: '{"city":"Paris"}' } };
  const withCall = (calls: unknown[]) => [question, { role: "assistant", content: null, tool_calls: calls }];
  it.each([
    ["a tool that is not a function", { tools: [{ type: "web_search" }] }, "tools[0].type must be function (tokenwire offers function tools only)"],
    ["a tool without a name", { tools: [{ type: "function", function: {} }] }, "tools[0] name must be 1 to 128 letters or digits or _ . -"],
    ["a tool name with spaces", { tools: [{ type: "function", function: { name: "get weather" } }] }, "tools[0] name must be 1 to 128 letters or digits or _ . -"],
    ["a tool name over 128 characters", { tools: [{ type: "function", function: { name: "x".repeat(129) } }] }, "tools[0] name must be 1 to 128 letters or digits or _ . -"],
    ["two tools of one name", { tools: [weather, weather] }, "tool names must be unique"],
    ["parameters that are not an object", { tools: [{ type: "function", function: { name: "f", parameters: "x" } }] }, "tools[0].function.parameters must be a JSON object"],
    ["more than 128 tools", { tools: Array.from({ length: 129 }, (_, i) => ({ type: "function", function: { name: `f${i}` } })) }, "a request offers at most 128 tools"],
    ["the older functions field", { functions: [{ name: "f" }] }, "functions is not supported: send tools (each of type function) instead"],
    ["an unknown tool_choice", { tools: [weather], tool_choice: "always" }, 'tool_choice must be auto or none or required or {"type":"function","function":{"name"}}'],
    ["tool_choice required without tools", { tool_choice: "required" }, "tool_choice required needs tools"],
    ["tool_choice naming a tool not offered", { tools: [weather], tool_choice: { type: "function", function: { name: "other" } } }, "tool_choice names a tool the request does not offer"],
    ["a tool message with no call before it", { messages: [question, { role: "tool", tool_call_id: "call_1", content: "x" }] }, "message 1 is a tool result and must name the id of a tool call made before it"],
    ["a tool message without tool_call_id", { messages: [...withCall([call]), { role: "tool", content: "x" }] }, "message 2 is a tool result and must name the id of a tool call made before it"],
    ["a tool call without an id", { messages: withCall([{ ...call, id: "" }]) }, "message 1 tool call 0 needs an id of 1 to 256 characters"],
    ["a tool call whose arguments are not JSON", { messages: withCall([{ ...call, function: { name: "f", arguments: "{city" } }]) }, "message 1 tool call 0 arguments must be a JSON object"],
    ["a tool call whose arguments are an array", { messages: withCall([{ ...call, function: { name: "f", arguments: "[]" } }]) }, "message 1 tool call 0 arguments must be a JSON object"],
    ["a tool call that is not a function", { messages: withCall([{ ...call, type: "custom" }]) }, "messages[1].tool_calls[0].type must be function"],
  ])("%s", async (_what, fields, message) => {
    const response = await post({ model: "agent", messages: [question], ...fields });
    expect(response.status).toBe(400);
    expect(await response.json()).toEqual({ error: { message, type: "invalid_request_error", param: null, code: "invalid_argument" } });
  });
});
