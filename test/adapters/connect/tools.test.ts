import { describe, expect, it } from "vitest";
import { Code, ConnectError, createClient } from "@connectrpc/connect";
import { createGrpcTransport } from "@connectrpc/connect-node";
import type { MessageInitShape } from "@bufbuild/protobuf";
import { TokenService, type StreamTokensResponse } from "../../../gen/tokenwire/v1/token_service_pb.js";
import { Role, ToolMode, type GenerationSchema } from "../../../gen/tokenwire/v1/generation_pb.js";
import { useTokenwireServer } from "../../support/tokenwire-test-server.ts";
import { readAll } from "../../support/read-stream.ts";

// `agent` is the fake upstream's tool-calling script: a call of the first tool offered, then, given its result, an answer.
const server = useTokenwireServer({ allowedModels: ["agent"] });
const client = () => createClient(TokenService, createGrpcTransport({ baseUrl: server.current.baseUrl }));

const weather = { name: "get_weather", description: "The weather in a city", parametersJson: JSON.stringify({ type: "object", properties: { city: { type: "string" } } }) };
const question = { role: Role.USER, content: "What is the weather in Paris?" };
type Generation = MessageInitShape<typeof GenerationSchema>;
const conversation = (messages: Generation["input"] & { case: "conversation" }) => messages;

async function events(generation: Generation): Promise<StreamTokensResponse["event"][]> {
  return (await readAll(client().streamTokens({ generation }))).map((response) => response.event);
}

describe("tools over gRPC (StreamTokens)", () => {
  it("should bind the request's tools and tool choice to the model, and stream the call it makes", async () => {
    const seen = await events({
      model: "agent",
      input: conversation({ case: "conversation", value: { messages: [question] } }),
      tools: [weather],
      toolChoice: { choice: { case: "mode", value: ToolMode.REQUIRED } },
    });
    const { body, sent } = server.current.upstream.requests.at(-1)!;
    expect(body.tools).toEqual([{ type: "function", function: { name: weather.name, description: weather.description, parameters: JSON.parse(weather.parametersJson) } }]);
    expect(body).toMatchObject({ tool_choice: "required" });
    expect(seen.find((event) => event.case === "toolCall")?.value).toMatchObject({ id: sent.toolCalls[0]!.id, name: "get_weather", argsJson: '{"city":"Paris"}' });
    expect(seen.at(-1)).toMatchObject({ case: "finished", value: { finishReason: 4 } }); // TOOL_CALLS
  });

  it("should send a named tool choice, and the call and its result back as the history of a second turn", async () => {
    await events({ model: "agent", input: conversation({ case: "conversation", value: { messages: [question] } }), tools: [weather], toolChoice: { choice: { case: "name", value: "get_weather" } } });
    const first = server.current.upstream.requests.at(-1)!;
    expect(first.body).toMatchObject({ tool_choice: { type: "function", function: { name: "get_weather" } } });
    const call = { id: first.sent.toolCalls[0]!.id, name: "get_weather", argsJson: '{"city":"Paris"}' };
    const messages = [question, { role: Role.ASSISTANT, content: "", toolCalls: [call] }, { role: Role.TOOL, content: "Sunny, 24 °C", toolCallId: call.id }];
    const seen = await events({ model: "agent", input: conversation({ case: "conversation", value: { messages } }), tools: [weather] });
    expect(seen.map((event) => (event.case === "delta" ? event.value.text : "")).join("")).toBe("The tool says: Sunny, 24 °C");
    expect(server.current.upstream.requests.at(-1)!.body.messages.slice(1)).toEqual([
      { role: "assistant", content: "", tool_calls: [{ id: call.id, type: "function", function: { name: "get_weather", arguments: call.argsJson } }] },
      { role: "tool", tool_call_id: call.id, content: "Sunny, 24 °C" },
    ]);
  });

  it.each([
    ["parameters that are not JSON", { tools: [{ ...weather, parametersJson: "{city" }] }, "tools[0].parameters_json must be a JSON object (a JSON Schema)"],
    ["parameters that are a JSON array", { tools: [{ ...weather, parametersJson: "[]" }] }, "tools[0].parameters_json must be a JSON object (a JSON Schema)"],
    ["a tool choice naming no tool offered", { tools: [weather], toolChoice: { choice: { case: "name" as const, value: "get_time" } } }, "tool_choice names a tool the request does not offer"],
    ["a tool result that answers no call", { input: conversation({ case: "conversation", value: { messages: [question, { role: Role.TOOL, content: "x", toolCallId: "call_1" }] } }) }, "message 1 is a tool result and must name the id of a tool call made before it"],
  ])("should refuse %s with INVALID_ARGUMENT", async (_, fields, message) => {
    const generation = { model: "agent", input: conversation({ case: "conversation", value: { messages: [question] } }), ...fields };
    const error = await events(generation).then(() => undefined, (reason: unknown) => ConnectError.from(reason));
    expect(error?.code).toBe(Code.InvalidArgument);
    expect(error?.rawMessage).toBe(message);
  });
});
