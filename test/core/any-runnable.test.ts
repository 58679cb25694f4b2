import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { SystemMessage } from "@langchain/core/messages";
import { StringOutputParser } from "@langchain/core/output_parsers";
import { ChatPromptTemplate } from "@langchain/core/prompts";
import { RunnableLambda } from "@langchain/core/runnables";
import { END, MessagesAnnotation, START, StateGraph } from "@langchain/langgraph";
import { streamTokens, TokenwireError, type TokenEvent } from "../../src/index.ts";
import { answerTokens, reasoningTokens, startFakeOpenAI, words, type FakeOpenAI, type RecordedRequest } from "../fixtures/fake-openai.ts";
import { isTokenSplit } from "../interop/use-interop-server.ts";
import { agentInput, agentKinds, fakeChatModel, fakeReasoningModel, getWeather, summedUsage, weatherIn } from "../support/agents.ts";
import { collect, isIncreasing, runs } from "../support/collect.ts";

let upstream: FakeOpenAI;
beforeAll(async () => {
  upstream = await startFakeOpenAI();
});
afterAll(() => upstream.close());

// streamTokens takes any runnable; the cast keeps these tests to that contract whatever its parameter's type.
type AnyRunnable = Parameters<typeof streamTokens>[0];

/** Streams a runnable to its end, with the upstream requests the run made. */
async function run(runnable: unknown, input: unknown, options: Parameters<typeof streamTokens>[2] = {}) {
  const before = upstream.requests.length;
  const { events, error } = await collect(streamTokens(runnable as AnyRunnable, input, options));
  return { events, error, requests: upstream.requests.slice(before) };
}

type Part<T extends TokenEvent["type"]> = Extract<TokenEvent, { type: T }>;
const partsOf = <T extends TokenEvent["type"]>(events: TokenEvent[], type: T) => events.filter((e): e is Part<T> => e.type === type);
const joined = (parts: { text: string }[]) => parts.map((p) => p.text).join("");
const kinds = (events: TokenEvent[]) => runs(events.map((e) => e.type));
/** The question every agent is asked, and what the fake's answer to the weather tool's result is. */
const question = "What is the weather in Paris?";
const agentAnswer = `The tool says: ${weatherIn("Paris")}`;

describe("streamTokens()", () => {
  it.each(agentKinds)("should stream a $name agent's tool call, the tool's result and its answer, each from its node", async ({ build, modelNode, toolsNode }) => {
    const { events, error, requests } = await run(build(fakeChatModel(upstream, "agent")), agentInput(question));
    expect(error).toBeUndefined();
    expect(requests).toHaveLength(2);
    const [calling, answering] = requests as [RecordedRequest, RecordedRequest];
    const call = calling.sent.toolCalls[0]!;
    expect(calling.body.tools?.map((t) => t.function.name)).toEqual([getWeather.name]);
    expect(answering.body.messages.at(-1)).toMatchObject({ role: "tool", tool_call_id: call.id, content: weatherIn("Paris") });
    expect(answering.sent.content).toBe(agentAnswer);

    expect(kinds(events)).toEqual(["started", "tool_call_delta", "tool_call", "tool_result", "delta", "finished"]);
    expect(isIncreasing(events.map((e) => e.seq))).toBe(true);

    const pieces = partsOf(events, "tool_call_delta");
    expect(pieces[0]).toMatchObject({ index: 0, id: call.id, name: getWeather.name });
    expect(joined(pieces)).toBe(call.arguments);
    const [toolCall, ...moreCalls] = partsOf(events, "tool_call");
    expect(moreCalls).toEqual([]);
    expect(toolCall).toMatchObject({ id: call.id, name: getWeather.name });
    expect(JSON.parse(toolCall!.argsJson)).toEqual({ city: "Paris" });
    expect(partsOf(events, "tool_result")).toEqual([
      expect.objectContaining({ toolCallId: call.id, name: getWeather.name, content: weatherIn("Paris"), isError: false, origin: expect.objectContaining({ node: toolsNode }) }),
    ]);
    const deltas = partsOf(events, "delta");
    expect(isTokenSplit(deltas.map((d) => d.text), words(answering.sent.content))).toBe(true);

    // The model's parts come from the model node, one model run for the call and another for the answer.
    const modelParts = [...pieces, toolCall!, ...deltas];
    expect(new Set(modelParts.map((p) => p.origin?.node))).toEqual(new Set([modelNode]));
    const runIdsOf = (parts: { origin?: { runId?: string } }[]) => [...new Set(parts.map((p) => p.origin?.runId))];
    expect(runIdsOf([...pieces, toolCall!])).toEqual([expect.any(String)]);
    expect(runIdsOf(deltas)).toEqual([expect.any(String)]);
    expect(runIdsOf(deltas)).not.toEqual(runIdsOf(pieces));

    expect(events.at(-1)).toEqual({ type: "finished", seq: expect.any(Number), finishReason: "stop", usage: summedUsage(requests) });
  });

  it("should stream a chat model's tool call and finish with tool_calls", async () => {
    const { events, error, requests } = await run(fakeChatModel(upstream, "agent").bindTools([getWeather]), question);
    expect(error).toBeUndefined();
    const call = requests[0]!.sent.toolCalls[0]!;
    expect(kinds(events)).toEqual(["started", "tool_call_delta", "tool_call", "finished"]);
    expect(joined(partsOf(events, "tool_call_delta"))).toBe(call.arguments);
    expect(partsOf(events, "tool_call")).toEqual([expect.objectContaining({ id: call.id, name: getWeather.name })]);
    expect(events.at(-1)).toMatchObject({ type: "finished", finishReason: "tool_calls", usage: summedUsage(requests) });
  });

  it("should say which node each token of a graph with two model nodes came from", async () => {
    const model = fakeChatModel(upstream, "echo");
    // The fake's echo model answers with the system message: each node's answer is its own.
    const speak = (persona: string) => async (state: typeof MessagesAnnotation.State) => ({
      messages: [await model.invoke([new SystemMessage(persona), ...state.messages])],
    });
    const graph = new StateGraph(MessagesAnnotation)
      .addNode("first", speak("First to speak."))
      .addNode("second", speak("Second and last."))
      .addEdge(START, "first")
      .addEdge("first", "second")
      .addEdge("second", END)
      .compile();
    const { events, error, requests } = await run(graph, agentInput("Hello"));
    expect(error).toBeUndefined();
    const deltas = partsOf(events, "delta");
    expect(runs(deltas.map((d) => d.origin?.node))).toEqual(["first", "second"]);
    const textOf = (node: string) => deltas.filter((d) => d.origin?.node === node).map((d) => d.text);
    expect(isTokenSplit(textOf("first"), words("First to speak."))).toBe(true);
    expect(isTokenSplit(textOf("second"), words("Second and last."))).toBe(true);
    expect(events.at(-1)).toMatchObject({ type: "finished", finishReason: "stop", usage: summedUsage(requests) });
  });

  it.each([
    ["its message", (message: { text: string }) => message],
    ["its message's text", (message: { text: string }) => message.text],
  ])("should stream token by token the model a RunnableLambda calls, the lambda returning %s, each token once", async (_, output) => {
    const model = fakeChatModel(upstream, "echo-paced-20");
    const lambda = RunnableLambda.from(async (prompt: string) => output(await model.invoke(prompt)));
    const prompt = "one two three four five six seven eight";
    const before = upstream.requests.length;
    const texts: string[] = [];
    let sentAtFirstDelta: number | undefined;
    for await (const event of streamTokens(lambda as AnyRunnable, prompt)) {
      if (event.type !== "delta") continue;
      // Read while the model is still answering: a delta made from the lambda's output would come after the last token.
      sentAtFirstDelta ??= upstream.requests[before]!.tokensSent;
      texts.push(event.text);
    }
    expect(texts.join("")).toBe(prompt);
    expect(isTokenSplit(texts, words(prompt))).toBe(true);
    expect(sentAtFirstDelta).toBeLessThan(words(prompt).length);
  });

  it("should stream a RunnableLambda's string as one delta", async () => {
    const { events, error } = await run(RunnableLambda.from(() => "Just text."), "hi");
    expect(error).toBeUndefined();
    expect(partsOf(events, "delta").map((d) => d.text)).toEqual(["Just text."]);
    expect(events.at(-1)).toMatchObject({ type: "finished", finishReason: "stop" });
  });

  it("should fail with internal, and never finish, when a RunnableLambda returns an object and not text", async () => {
    const { events, error } = await run(RunnableLambda.from(() => ({ a: 1 })), "hi");
    expect(error).toBeInstanceOf(TokenwireError);
    expect(error).toMatchObject({ code: "internal", message: expect.stringMatching(/not text/i) });
    expect(events.filter((e) => e.type !== "started")).toEqual([]);
  });

  it("should stream a prompt, a model and a string parser's text, each token once", async () => {
    const prompt = ChatPromptTemplate.fromMessages([
      ["system", "Answer as {persona} would."],
      ["user", "{input}"],
    ]);
    const chain = prompt.pipe(fakeChatModel(upstream, "echo")).pipe(new StringOutputParser());
    const { events, error, requests } = await run(chain, { persona: "a poet", input: "Hello" });
    expect(error).toBeUndefined();
    expect(requests).toHaveLength(1);
    expect(isTokenSplit(partsOf(events, "delta").map((d) => d.text), words("Answer as a poet would."))).toBe(true);
    expect(events.at(-1)).toMatchObject({ type: "finished", finishReason: "stop" });
  });

  it("should stream a reasoning model's reasoning, then its answer, apart", async () => {
    const model = fakeReasoningModel(upstream);
    const { events, error, requests } = await run(model, "Hello?");
    expect(error).toBeUndefined();
    expect(kinds(events)).toEqual(["started", "reasoning", "delta", "finished"]);
    expect(isTokenSplit(partsOf(events, "reasoning").map((r) => r.text), reasoningTokens)).toBe(true);
    expect(isTokenSplit(partsOf(events, "delta").map((d) => d.text), answerTokens)).toBe(true);
    expect(events.at(-1)).toEqual({ type: "finished", seq: expect.any(Number), finishReason: "stop", usage: summedUsage(requests) });
  });

  it.each(agentKinds)("should close the upstream request a $name agent has open when the loop breaks mid-answer", async ({ build }) => {
    const before = upstream.requests.length;
    for await (const event of streamTokens(build(fakeChatModel(upstream, "agent-paced-20")) as AnyRunnable, agentInput(question))) {
      if (event.type === "delta") break;
    }
    const requests = upstream.requests.slice(before);
    expect(await Promise.all(requests.map((r) => r.ended))).toEqual(["completed", "client-closed"]);
    expect(requests[1]!.tokensSent).toBeLessThan(words(agentAnswer).length);
  });

  it("should close the upstream request and throw canceled when the caller aborts during a tool call", async () => {
    const controller = new AbortController();
    const before = upstream.requests.length;
    const read = async () => {
      for await (const event of streamTokens(agentKinds[0].build(fakeChatModel(upstream, "agent-paced-20")) as AnyRunnable, agentInput(question), { signal: controller.signal })) {
        if (event.type === "tool_call_delta") controller.abort();
      }
    };
    await expect(read()).rejects.toMatchObject({ code: "canceled" });
    const requests = upstream.requests.slice(before);
    expect(await Promise.all(requests.map((r) => r.ended))).toEqual(["client-closed"]);
  });
});
