import { afterEach, beforeEach, describe, expect, it, vi } from "vitest";
import { coalescingSink } from "../../src/core/coalescing-sink.ts";
import { createIteratorSink } from "../../src/core/iterator-sink.ts";
import type { TokenEvent } from "../../src/core/token-event.ts";
import type { TokenwireError } from "../../src/core/tokenwire-error.ts";
import { runSinkContract } from "../support/sink-contract.ts";

runSinkContract({
  name: "coalescingSink() over createIteratorSink()",
  createSink({ highWaterMark }) {
    let gone!: () => void;
    const readerGone = new Promise<void>((resolve) => (gone = resolve));
    const inner = createIteratorSink<TokenEvent>({ highWaterMark, onReturn: gone });
    return { sink: coalescingSink(inner, 5), read: () => inner, readerGone };
  },
  skip: [
    {
      reason: "text within a window reaches the wire's sink, and its high-water mark, only when the window ends",
      tests: ["should ask the producer to wait past its high-water mark, and release it once read"],
    },
  ],
});

/** A sink that records what reaches it, and when, on fake timers. */
function recorder() {
  const written: { at: number; event: string }[] = [];
  let closed: TokenwireError | "clean" | undefined;
  const describe = (e: TokenEvent) => `${e.type}@${e.seq}${"text" in e ? `:${e.text}` : ""}`;
  return {
    written,
    closed: () => closed,
    sink: { write: (event: TokenEvent) => void written.push({ at: Date.now(), event: describe(event) }), close: (error?: TokenwireError) => void (closed = error ?? "clean") },
  };
}

const delta = (seq: number, text: string): TokenEvent => ({ type: "delta", seq, text });

describe("coalescingSink()", () => {
  beforeEach(() => void vi.useFakeTimers({ now: 0 }));
  afterEach(() => void vi.useRealTimers());

  it("should merge the text deltas of one window into one write, at the window's end", () => {
    const { sink, written } = recorder();
    const coalescing = coalescingSink(sink, 20);
    coalescing.write({ type: "started", seq: 0, runId: "r", model: "m" });
    for (let seq = 1; seq <= 3; seq++) coalescing.write(delta(seq, `t${seq}`));
    expect(written.map((w) => w.event)).toEqual(["started@0"]);
    vi.advanceTimersByTime(20);
    coalescing.write(delta(4, "t4"));
    vi.advanceTimersByTime(20);
    expect(written).toEqual([
      { at: 0, event: "started@0" },
      { at: 20, event: "delta@3:t1t2t3" },
      { at: 40, event: "delta@4:t4" },
    ]);
  });

  it("should write a part's tail at once when the part changes, and a tool call's start and the finish with no wait", () => {
    const { sink, written } = recorder();
    const coalescing = coalescingSink(sink, 1000);
    const events: TokenEvent[] = [
      { type: "reasoning", seq: 1, text: "think" },
      { type: "reasoning", seq: 2, text: "ing" },
      delta(3, "an"),
      delta(4, "swer"),
      { type: "tool_call_delta", seq: 5, index: 0, id: "call_1", name: "f", text: "" },
      { type: "tool_call_delta", seq: 6, index: 0, text: '{"x":' },
      { type: "tool_call_delta", seq: 7, index: 0, text: "1}" },
      { type: "finished", seq: 8, finishReason: "tool_calls", usage: undefined },
    ];
    for (const event of events) coalescing.write(event);
    expect(written).toEqual(
      ["reasoning@2:thinking", "delta@4:answer", "tool_call_delta@5:", 'tool_call_delta@7:{"x":1}', "finished@8"].map((event) => ({ at: 0, event })),
    );
  });

  it("should write what waits before it closes, with the error it was closed with", () => {
    const { sink, written, closed } = recorder();
    const coalescing = coalescingSink(sink, 1000);
    coalescing.write(delta(1, "a"));
    coalescing.close();
    expect(written.map((w) => w.event)).toEqual(["delta@1:a"]);
    expect(closed()).toBe("clean");
  });
});
