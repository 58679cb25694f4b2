import { describe, expect, it } from "vitest";
import { TokenwireError, type TokenEvent } from "../../../src/index.ts";
import { createChatCompletionSink } from "../../../src/adapters/openai/index.ts";
import { runSinkContract } from "../../support/sink-contract.ts";
import { collect } from "../../support/collect.ts";
import { dialectSinkOnNodeWire, dialectSinkUnderTest, frameGroups, type FrameGroup } from "../dialect/sse-events.ts";

type Chunk = { id?: string; model?: string; choices?: { delta: Record<string, unknown>; finish_reason: string | null }[]; usage?: Record<string, number> | null };
type ToolPiece = { index: number; id?: string; function: { name?: string; arguments: string } };

// What an OpenAI client makes of the chunks of one event; an error object ends the stream as the client throws it.
function eventOf({ seq = -1, data }: FrameGroup): TokenEvent {
  const [first] = data as (Chunk & { error?: { code: TokenwireError["code"]; message: string } })[];
  if (first?.error) throw new TokenwireError(first.error.code, first.error.message);
  const { delta = {}, finish_reason: finishReason = null } = first?.choices?.[0] ?? {};
  if (finishReason) return { type: "finished", seq, finishReason: finishReason as "stop", usage: undefined };
  if (delta.role === "assistant") return { type: "started", seq, runId: String(first!.id).replace("chatcmpl-", ""), model: String(first!.model) };
  if (typeof delta.content === "string") return { type: "delta", seq, text: delta.content };
  if (typeof delta.reasoning_content === "string") return { type: "reasoning", seq, text: delta.reasoning_content };
  const [piece] = delta.tool_calls as ToolPiece[];
  return { type: "tool_call_delta", seq, index: piece!.index, id: piece!.id, name: piece!.function.name, text: piece!.function.arguments };
}

runSinkContract({ name: "createChatCompletionSink", createSink: dialectSinkUnderTest(createChatCompletionSink, eventOf) });
runSinkContract({ name: "createChatCompletionSink on a node response", createSink: dialectSinkOnNodeWire(createChatCompletionSink, eventOf) });

async function chunksOf(events: TokenEvent[], includeUsage = false): Promise<Chunk[]> {
  const sink = createChatCompletionSink({ includeUsage });
  for (const event of events) void sink.write(event);
  sink.close();
  const groups = await collect(frameGroups(sink.body()));
  return groups.events.flatMap((group) => group.data as Chunk[]);
}

const started: TokenEvent = { type: "started", seq: 0, runId: "run-1", model: "gpt-test" };

describe("createChatCompletionSink", () => {
  it("should write OpenAI's chunks: the role first, the finish reason, the usage with no choices, and usage null before it", async () => {
    const chunks = await chunksOf(
      [started, { type: "delta", seq: 1, text: "Hi" }, { type: "finished", seq: 2, finishReason: "stop", usage: { inputTokens: 3, outputTokens: 1, totalTokens: 4 } }],
      true,
    );
    const head = { id: "chatcmpl-run-1", object: "chat.completion.chunk", created: expect.any(Number), model: "gpt-test" };
    expect(chunks).toEqual([
      { ...head, choices: [{ index: 0, delta: { role: "assistant", content: "" }, logprobs: null, finish_reason: null }], usage: null },
      { ...head, choices: [{ index: 0, delta: { content: "Hi" }, logprobs: null, finish_reason: null }], usage: null },
      { ...head, choices: [{ index: 0, delta: {}, logprobs: null, finish_reason: "stop" }], usage: null },
      { ...head, choices: [], usage: { prompt_tokens: 3, completion_tokens: 1, total_tokens: 4 } },
    ]);
  });

  it("should number the tool calls of a graph's model calls apart, and send a call that was not streamed whole", async () => {
    const first = { runId: "model-1" };
    const second = { runId: "model-2" };
    const chunks = await chunksOf([
      started,
      { type: "tool_call_delta", seq: 1, index: 0, id: "call_a", name: "f", text: "", origin: first },
      { type: "tool_call_delta", seq: 2, index: 0, text: "{}", origin: first },
      { type: "tool_call", seq: 3, id: "call_a", name: "f", argsJson: "{}", origin: first },
      { type: "tool_result", seq: 4, toolCallId: "call_a", name: "f", content: "done", isError: false },
      { type: "tool_call_delta", seq: 5, index: 0, id: "call_b", name: "g", text: '{"x":1}', origin: second },
      { type: "tool_call", seq: 6, id: "call_c", name: "h", argsJson: "{}", origin: second },
      { type: "finished", seq: 7, finishReason: "tool_calls", usage: undefined },
    ]);
    const pieces = chunks.flatMap((chunk) => (chunk.choices?.[0]?.delta.tool_calls ?? []) as ToolPiece[]);
    // The first call's two pieces were written before any read: they went out merged.
    expect(pieces).toEqual([
      { index: 0, id: "call_a", type: "function", function: { name: "f", arguments: "{}" } },
      { index: 1, id: "call_b", type: "function", function: { name: "g", arguments: '{"x":1}' } },
      { index: 2, id: "call_c", type: "function", function: { name: "h", arguments: "{}" } },
    ]);
    expect(chunks.at(-1)?.choices?.[0]?.finish_reason).toBe("tool_calls");
  });
});
