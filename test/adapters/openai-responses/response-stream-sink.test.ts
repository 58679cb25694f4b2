import { describe, expect, it } from "vitest";
import type OpenAI from "openai";
import { TokenwireError, type TokenEvent } from "../../../src/index.ts";
import {
  createResponseBuilder,
  createResponseReadSink,
  createResponseStreamSink,
  newResponseId,
  unknownEcho,
  type SseSink,
} from "../../../src/adapters/openai-responses/index.ts";
import { runSinkContract, type SinkUnderTest } from "../../support/sink-contract.ts";
import { isIncreasing } from "../../support/collect.ts";
import { frameGroups, type FrameGroup } from "../dialect/sse-events.ts";
import { accumulated, deltaText, responseEventsOf, type StreamEvent } from "./response-events.ts";

const id = newResponseId();
const builder = () => createResponseBuilder({ id, echo: unknownEcho });

// What a client makes of the frames: each of tokenwire's events is the frame whose number (its id) falls in the
// event's eight, a function call's item and its first arguments one piece; an `error` event ends it as thrown.
function decoder() {
  let call: { id: string; name: string } | undefined;
  return ({ seq = -1, data: [frame] }: FrameGroup): TokenEvent | undefined => {
    const event = frame as unknown as StreamEvent;
    const at = Math.floor(seq / 8);
    switch (event.type) {
      case "response.created":
        return { type: "started", seq: at, runId: event.response.id, model: event.response.model };
      case "response.output_text.delta":
        return { type: "delta", seq: at, text: event.delta };
      case "response.reasoning_summary_text.delta":
        return { type: "reasoning", seq: at, text: event.delta };
      case "response.output_item.added":
        if (event.item.type === "function_call") call = { id: event.item.call_id, name: event.item.name };
        return undefined;
      case "response.function_call_arguments.delta": {
        const first = call;
        call = undefined;
        return { type: "tool_call_delta", seq: at, index: 0, ...first, text: event.delta };
      }
      case "response.completed":
        return { type: "finished", seq: at, finishReason: "stop", usage: undefined };
      case "error":
        throw new TokenwireError(event.code as TokenwireError["code"], event.message);
      default:
        return undefined;
    }
  };
}

function underTest({ highWaterMark }: { highWaterMark: number }): SinkUnderTest {
  let gone: () => void = () => {};
  const readerGone = new Promise<void>((resolve) => (gone = resolve));
  const sink = createResponseStreamSink({ builder: builder(), highWaterMark, onReturn: () => gone() });
  async function* read(): AsyncGenerator<TokenEvent> {
    const decode = decoder();
    for await (const group of frameGroups(sink.body())) {
      const event = decode(group);
      if (event) yield event;
    }
  }
  return { sink, read, readerGone };
}

runSinkContract({ name: "createResponseStreamSink", createSink: underTest });

const model = { runId: "model-1" };
const answer = { runId: "model-2" };
// A graph's run: reasoning, a streamed tool call, one that was not streamed, then the answer of a second model call.
const run: TokenEvent[] = [
  { type: "started", seq: 0, runId: "run-1", model: "gpt-test" },
  { type: "reasoning", seq: 1, text: "Think", origin: model },
  { type: "reasoning", seq: 2, text: "ing", origin: model },
  { type: "delta", seq: 3, text: "Let me ", origin: model },
  { type: "delta", seq: 4, text: "look.", origin: model },
  { type: "tool_call_delta", seq: 5, index: 0, id: "call_a", name: "get_weather", text: "", origin: model },
  { type: "tool_call_delta", seq: 6, index: 0, text: '{"city":', origin: model },
  { type: "tool_call_delta", seq: 7, index: 0, text: '"Paris"}', origin: model },
  { type: "tool_call", seq: 8, id: "call_a", name: "get_weather", argsJson: '{"city":"Paris"}', origin: model },
  { type: "tool_call", seq: 9, id: "call_b", name: "get_time", argsJson: "{}", origin: model },
  { type: "tool_result", seq: 10, toolCallId: "call_a", name: "get_weather", content: "Sunny", isError: false },
  { type: "delta", seq: 11, text: "It is ", origin: answer },
  { type: "delta", seq: 12, text: "sunny.", origin: answer },
  { type: "finished", seq: 13, finishReason: "stop", usage: { inputTokens: 5, outputTokens: 7, totalTokens: 12 } },
];

// The events written before any read, as a replica's reader behind its log gets them: its deltas merged.
async function eventsOf(sink: SseSink, events: readonly TokenEvent[], error?: TokenwireError): Promise<StreamEvent[]> {
  for (const event of events) void sink.write({ ...event });
  sink.close(error);
  return responseEventsOf(sink.body());
}

describe("createResponseStreamSink", () => {
  it("should write each item from added to done, number every event in order, and end with the whole response", async () => {
    const events = await eventsOf(createResponseStreamSink({ builder: builder() }), run);
    expect(isIncreasing(events.map((event) => event.sequence_number))).toBe(true);
    expect(events.slice(0, 2).map((event) => event.type)).toEqual(["response.created", "response.in_progress"]);
    const items = events.flatMap((event) => (event.type === "response.output_item.done" ? [event.item] : []));
    expect(items.map((item) => item.type)).toEqual(["reasoning", "message", "function_call", "function_call", "message"]);
    expect(items[2]).toMatchObject({ type: "function_call", call_id: "call_a", name: "get_weather", arguments: '{"city":"Paris"}', status: "completed" });
    expect(deltaText(events)).toBe("Let me look.It is sunny.");
    const completed = events.at(-1) as OpenAI.Responses.ResponseCompletedEvent;
    expect(completed.type).toBe("response.completed");
    expect(completed.response).toMatchObject({ status: "completed", model: "gpt-test", output: items, usage: { input_tokens: 5, output_tokens: 7, total_tokens: 12 } });
    // The official client's accumulator takes the stream as it is, and builds the same response.
    expect((await accumulated(events)).output).toMatchObject(items);
  });

  it.each([
    ["length", "incomplete", { reason: "max_output_tokens" }],
    ["content_filter", "incomplete", { reason: "content_filter" }],
    ["stopped", "cancelled", null],
  ] as const)("should end a %s finish as response.incomplete with the status %s", async (finishReason, status, details) => {
    const events = await eventsOf(createResponseStreamSink({ builder: builder() }), [
      run[0]!,
      { type: "delta", seq: 1, text: "Half" },
      { type: "finished", seq: 2, finishReason, usage: undefined },
    ]);
    expect(events.at(-2)).toMatchObject({ type: "response.output_item.done", item: { status: "incomplete" } });
    expect(events.at(-1)).toMatchObject({ type: "response.incomplete", response: { status, incomplete_details: details, usage: null } });
  });

  it("should end a failure with an error event, then response.failed with the error and the output so far", async () => {
    const events = await eventsOf(createResponseStreamSink({ builder: builder() }), [run[0]!, { type: "delta", seq: 1, text: "Half" }], new TokenwireError("unavailable", "the model is unavailable"));
    expect(events.slice(-2)).toMatchObject([
      { type: "error", code: "unavailable", message: "the model is unavailable", param: null },
      { type: "response.failed", response: { status: "failed", error: { code: "server_error", message: "the model is unavailable" }, output: [{ type: "message", status: "incomplete" }] } },
    ]);
  });
});

describe("createResponseReadSink", () => {
  const read = (startingAfter: number) => eventsOf(createResponseReadSink({ builder: builder(), startingAfter }), run);

  it("should write, after any sequence number, exactly the events that a reader of a merged stream lacked", async () => {
    // The first reader got the deltas merged; a resume renders the log's events one by one, and still fits.
    const whole = await eventsOf(createResponseStreamSink({ builder: builder() }), run);
    const final = await accumulated(whole);
    for (const [index, last] of whole.entries()) {
      const rest = await read(last.sequence_number);
      const had = whole.slice(0, index + 1);
      expect(rest.every((event) => event.sequence_number > last.sequence_number)).toBe(true);
      expect(deltaText(had) + deltaText(rest)).toBe(deltaText(whole));
      const resumed = await accumulated([...had, ...rest]);
      expect({ at: last.sequence_number, output: resumed.output }).toEqual({ at: last.sequence_number, output: final.output });
    }
  });

  it("should write the whole stream after -1, and nothing after its last sequence number", async () => {
    const whole = await read(-1);
    expect((await accumulated(whole)).output).toEqual((await accumulated(await eventsOf(createResponseStreamSink({ builder: builder() }), run))).output);
    expect(await read(whole.at(-1)!.sequence_number)).toEqual([]);
  });
});
