import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest";
import { status as Status } from "@grpc/grpc-js";
import { createTokenwireServer, type TokenwireServer } from "../../src/server/index.ts";
import { TokenwireError, type ResolvedRun } from "../../src/index.ts";
import { startFakeOpenAI, words, type FakeOpenAI, type RecordedRequest } from "../fixtures/fake-openai.ts";
import { agentInput, agentKinds, fakeChatModel, getWeather, summedUsage, weatherIn } from "../support/agents.ts";
import { isIncreasing, runs } from "../support/collect.ts";
import { collectStream, createGrpcJsClient, type GrpcJsClient } from "./grpc-js-client.ts";
import { isTokenSplit } from "./use-interop-server.ts";

/** `tokenwire.v1.StreamTokensResponse` as proto-loader reads it: `event` names the oneof's case. */
interface WireEvent {
  sequence: string;
  event: "started" | "delta" | "reasoning" | "tool_call_delta" | "tool_call" | "tool_result" | "finished";
  delta?: { text: string };
  tool_call_delta?: { index: number; id: string; name: string; args: string };
  tool_call?: { id: string; name: string; args_json: string };
  tool_result?: { tool_call_id: string; name: string; content: string; is_error: boolean };
  finished?: { finish_reason: string; usage: { input_tokens: number; output_tokens: number; total_tokens: number } | null; upstream_finish_reason: string };
  origin: { node: string; run_id: string } | null;
}

/** The fake's tool-calling script, and the same paced so that a cancel lands mid-answer. */
const agentModels = ["agent", "agent-paced-20"];
const { build: buildAgent, modelNode, toolsNode } = agentKinds[0];

let upstream: FakeOpenAI;
let server: TokenwireServer;
let client: GrpcJsClient;
beforeAll(async () => {
  upstream = await startFakeOpenAI();
  server = createTokenwireServer({
    // Each request runs a ReAct agent on the model it names; its prompt is the user's message.
    resolve: (request) => {
      const model = request.model || agentModels[0]!;
      if (!agentModels.includes(model)) throw new TokenwireError("not_found", `model "${model}" is not offered here`);
      const runnable = buildAgent(fakeChatModel(upstream, model)) as unknown as ResolvedRun["runnable"];
      return { model, runnable, input: agentInput(request.prompt ?? "") };
    },
  });
  const { port } = await server.listen(0, "127.0.0.1");
  client = createGrpcJsClient({ file: "tokenwire/v1/token_service.proto", service: "tokenwire.v1.TokenService", target: `127.0.0.1:${port}` });
});
afterEach(() => expect.poll(() => server.tokenwire.openStreams).toBe(0));
afterAll(async () => {
  client?.close();
  await server?.shutdown(100);
  await upstream?.close();
});

function streamTokens(generation: object) {
  return client.stream<WireEvent>("StreamTokens", { generation });
}

const question = "What is the weather in Paris?";

describe("tokenwire.v1.TokenService/StreamTokens of a ReAct agent, from grpc-js with the .proto", () => {
  it("should stream the tool call, the tool's result and the answer, each part with its node", async () => {
    const before = upstream.requests.length;
    const { messages, status } = await collectStream(streamTokens({ prompt: question }));
    expect(status.code).toBe(Status.OK);
    const requests = upstream.requests.slice(before);
    expect(requests).toHaveLength(2);
    const [calling, answering] = requests as [RecordedRequest, RecordedRequest];
    const call = calling.sent.toolCalls[0]!;

    expect(runs(messages.map((m) => m.event))).toEqual(["started", "tool_call_delta", "tool_call", "tool_result", "delta", "finished"]);
    expect(isIncreasing(messages.map((m) => Number(m.sequence)))).toBe(true);
    const of = (event: WireEvent["event"]) => messages.filter((m) => m.event === event);

    const pieces = of("tool_call_delta");
    expect(pieces[0]!.tool_call_delta).toMatchObject({ index: 0, id: call.id, name: getWeather.name });
    expect(pieces.map((p) => p.tool_call_delta!.args).join("")).toBe(call.arguments);
    const [toolCall, ...moreCalls] = of("tool_call");
    expect(moreCalls).toEqual([]);
    expect(toolCall!.tool_call).toMatchObject({ id: call.id, name: getWeather.name });
    expect(JSON.parse(toolCall!.tool_call!.args_json)).toEqual({ city: "Paris" });
    const [toolResult, ...moreResults] = of("tool_result");
    expect(moreResults).toEqual([]);
    expect(toolResult).toMatchObject({ tool_result: { tool_call_id: call.id, name: getWeather.name, content: weatherIn("Paris"), is_error: false }, origin: { node: toolsNode } });
    const deltas = of("delta");
    expect(isTokenSplit(deltas.map((d) => d.delta!.text), words(answering.sent.content))).toBe(true);
    expect(new Set([...pieces, toolCall!, ...deltas].map((m) => m.origin?.node))).toEqual(new Set([modelNode]));

    const usage = summedUsage(requests);
    expect(messages.at(-1)!.finished).toEqual({
      finish_reason: "FINISH_REASON_STOP",
      usage: { input_tokens: usage.inputTokens, output_tokens: usage.outputTokens, total_tokens: usage.totalTokens },
      upstream_finish_reason: "",
    });
  });

  it("should close the upstream request the agent has open when the client cancels mid-answer", async () => {
    const before = upstream.requests.length;
    const call = streamTokens({ prompt: question, model: "agent-paced-20" });
    const { status } = await collectStream(call, (message) => message.event === "delta" && call.cancel());
    expect(status.code).toBe(Status.CANCELLED);
    const requests = upstream.requests.slice(before);
    expect(await Promise.all(requests.map((r) => r.ended))).toEqual(["completed", "client-closed"]);
  });
});
