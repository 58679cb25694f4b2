import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest";
import { Code, createClient } from "@connectrpc/connect";
import { TokenService } from "../../../gen/tokenwire/v1/token_service_pb.js";
import { messagesInput, type ResolvedRun } from "../../../src/index.ts";
import { createTokenwireServer, type TokenwireServer } from "../../../src/server/index.ts";
import { startFakeOpenAI, type FakeOpenAI } from "../../fixtures/fake-openai.ts";
import { agentKinds, fakeChatModel, getWeather, weatherIn } from "../../support/agents.ts";
import { runs } from "../../support/collect.ts";
import { transportsTo } from "../../support/tokenwire-test-server.ts";
import { readAll } from "../../support/read-stream.ts";
import { isCode } from "../../support/code-of.ts";
import { deltaTextOf } from "../../support/stream-text.ts";

const { build, modelNode, toolsNode } = agentKinds[0];
let upstream: FakeOpenAI;
let server: TokenwireServer;
let baseUrl = "";

beforeAll(async () => {
  upstream = await startFakeOpenAI();
  const agent = build(fakeChatModel(upstream, "agent-paced-20")) as unknown as ResolvedRun["runnable"];
  server = createTokenwireServer({ resolve: (request) => ({ model: "agent", runnable: agent, input: messagesInput(request) }) });
  baseUrl = `http://127.0.0.1:${(await server.listen(0, "127.0.0.1")).port}`;
});
afterEach(() => expect.poll(() => server.tokenwire.openStreams).toBe(0));
afterAll(async () => {
  await server?.shutdown(100);
  await upstream?.close();
});

const request = { generation: { input: { case: "prompt" as const, value: "What is the weather in Paris?" } } };
const connectAndWeb = transportsTo(() => baseUrl).filter(([name]) => name !== "gRPC");

describe.each(connectAndWeb)("StreamTokens of a ReAct agent over %s", (_name, transport) => {
  it("should stream the tool call, the tool's result and the answer, each with its node", async () => {
    const responses = await readAll(createClient(TokenService, transport()).streamTokens(request));
    const kinds = runs(responses.map((r) => r.event.case));
    expect(kinds).toEqual(["started", "toolCallDelta", "toolCall", "toolResult", "delta", "finished"]);
    const call = responses.find((r) => r.event.case === "toolCall")!;
    expect(call.event.value).toMatchObject({ name: getWeather.name, argsJson: '{"city":"Paris"}' });
    expect(call.origin?.node).toBe(modelNode);
    const result = responses.find((r) => r.event.case === "toolResult")!;
    expect(result.event.value).toMatchObject({ name: getWeather.name, content: weatherIn("Paris"), isError: false });
    expect(result.origin?.node).toBe(toolsNode);
    const answer = responses.filter((r) => r.event.case === "delta");
    expect(deltaTextOf(answer)).toBe(`The tool says: ${weatherIn("Paris")}`);
    expect(new Set(answer.map((r) => r.origin?.node))).toEqual(new Set([modelNode]));
  });

  it("should close the upstream request the agent has open when the client cancels mid-answer", async () => {
    const controller = new AbortController();
    const read = async () => {
      for await (const response of createClient(TokenService, transport()).streamTokens(request, { signal: controller.signal })) {
        if (response.event.case === "delta") controller.abort();
      }
    };
    const before = upstream.requests.length;
    await expect(read()).rejects.toSatisfy(isCode(Code.Canceled));
    const answering = upstream.requests[before + 1]!;
    expect(await answering.ended).toBe("client-closed");
  });
});
