import { describe, expect, it } from "vitest";
import { parseJsonEventStream, readUIMessageStream, uiMessageChunkSchema, type UIMessage, type UIMessageChunk } from "ai";
import { TokenwireError, type TokenEvent } from "../../../src/index.ts";
import { createUIMessageStreamSink } from "../../../src/adapters/ai-sdk/index.ts";
import { runSinkContract } from "../../support/sink-contract.ts";
import { dialectSinkUnderTest, type FrameGroup } from "../dialect/sse-events.ts";

type Chunk = Record<string, unknown> & { type: string };

// What a UI message stream reader makes of the chunks of one event: the chunk that carries it, the others open or close blocks.
function eventOf({ seq = -1, data }: FrameGroup): TokenEvent {
  let event = {} as Record<string, unknown>;
  for (const chunk of data as Chunk[]) {
    if (chunk.type === "error") throw new Error(String(chunk.errorText));
    if (chunk.type === "start") event = { type: "started", runId: chunk.messageId, model: "" };
    if (chunk.type === "text-delta") event = { type: "delta", text: chunk.delta };
    if (chunk.type === "reasoning-delta") event = { type: "reasoning", text: chunk.delta };
    if (chunk.type === "tool-input-start") event = { type: "tool_call_delta", index: 0, id: chunk.toolCallId, name: chunk.toolName, text: "" };
    if (chunk.type === "tool-input-delta") event = { type: "tool_call_delta", index: 0, ...event, text: `${event.text ?? ""}${String(chunk.inputTextDelta)}` };
    if (chunk.type === "finish") event = { type: "finished", finishReason: chunk.finishReason, usage: undefined };
  }
  return { ...event, seq } as TokenEvent;
}

runSinkContract({
  name: "createUIMessageStreamSink",
  createSink: dialectSinkUnderTest(createUIMessageStreamSink, eventOf),
  skip: [{ reason: "the UI message stream's error chunk carries words only (errorText), not a code", tests: ["should end with the error it was closed with, after the events written before it"] }],
});

const agent = { runId: "model-1", node: "agent" };
const answer = { runId: "model-2", node: "agent" };
const events: TokenEvent[] = [
  { type: "started", seq: 0, runId: "run-1", model: "m" },
  { type: "reasoning", seq: 1, text: "Look it up.", origin: agent },
  { type: "tool_call_delta", seq: 2, index: 0, id: "call_1", name: "get_weather", text: "", origin: agent },
  { type: "tool_call_delta", seq: 3, index: 0, text: '{"city":"Paris"}', origin: agent },
  { type: "tool_call", seq: 4, id: "call_1", name: "get_weather", argsJson: '{"city":"Paris"}', origin: agent },
  { type: "tool_result", seq: 5, toolCallId: "call_1", name: "get_weather", content: "Sunny", isError: false, origin: { runId: "tool-1", node: "tools" } },
  { type: "delta", seq: 6, text: "It is ", origin: answer },
  { type: "delta", seq: 7, text: "sunny.", origin: answer },
  { type: "finished", seq: 8, finishReason: "stop", usage: undefined },
];

// Reads the sink's bytes as the AI SDK's transport does: every chunk through its own schema, then into a message.
async function messageOf(written: TokenEvent[], error?: TokenwireError) {
  const sink = createUIMessageStreamSink();
  for (const event of written) await sink.write(event);
  sink.close(error);
  const chunks: UIMessageChunk[] = [];
  const parsed = parseJsonEventStream({ stream: sink.body(), schema: uiMessageChunkSchema }).pipeThrough(
    new TransformStream({
      transform(result, controller) {
        if (!result.success) throw result.error;
        chunks.push(result.value);
        controller.enqueue(result.value);
      },
    }),
  );
  const errors: unknown[] = [];
  let message: UIMessage | undefined;
  for await (const snapshot of readUIMessageStream({ stream: parsed, onError: (e) => errors.push(e) })) message = snapshot;
  return { message, chunks, errors };
}

describe("createUIMessageStreamSink", () => {
  it("should write chunks the AI SDK's schema accepts, which its reader assembles into reasoning, a tool part and text", async () => {
    const { message, chunks, errors } = await messageOf(events);
    expect(errors).toEqual([]);
    expect(chunks.map((chunk) => chunk.type)).toEqual([
      "start",
      "reasoning-start",
      "reasoning-delta",
      "reasoning-end",
      "tool-input-start",
      "tool-input-delta",
      "tool-input-available",
      "tool-output-available",
      "text-start",
      "text-delta",
      "text-end",
      "finish",
    ]);
    expect(message?.id).toBe("run-1");
    expect(message?.parts).toEqual([
      expect.objectContaining({ type: "reasoning", text: "Look it up.", state: "done" }),
      expect.objectContaining({ type: "tool-get_weather", toolCallId: "call_1", state: "output-available", input: { city: "Paris" }, output: "Sunny" }),
      expect.objectContaining({ type: "text", text: "It is sunny.", state: "done" }),
    ]);
  });

  it("should start a text block for each model call, and end with an error chunk the reader reports", async () => {
    const { message, chunks, errors } = await messageOf(
      [events[0]!, { type: "delta", seq: 1, text: "a", origin: agent }, { type: "delta", seq: 2, text: "b", origin: answer }],
      new TokenwireError("unavailable", "gone"),
    );
    expect(message?.parts.map((part) => (part.type === "text" ? part.text : part.type))).toEqual(["a", "b"]);
    expect(chunks.at(-1)).toEqual({ type: "error", errorText: "gone" });
    expect(errors).toEqual([new Error("gone")]);
  });

  it("should end a stream that a stop request ended with an abort chunk, keeping its text", async () => {
    const { message, chunks, errors } = await messageOf([events[0]!, { type: "delta", seq: 1, text: "It is " }, { type: "finished", seq: 2, finishReason: "stopped", usage: undefined }]);
    expect(errors).toEqual([]);
    expect(chunks.slice(-2)).toEqual([expect.objectContaining({ type: "text-end" }), { type: "abort", reason: "stopped" }]);
    expect(message?.parts).toEqual([expect.objectContaining({ type: "text", text: "It is " })]);
  });

  it("should give a tool result whose call it never saw that call first, which the reader needs", async () => {
    const { message, errors } = await messageOf([events[0]!, events[5]!, events[8]!]);
    expect(errors).toEqual([]);
    expect(message?.parts).toEqual([expect.objectContaining({ type: "tool-get_weather", toolCallId: "call_1", state: "output-available", output: "Sunny" })]);
  });
});
