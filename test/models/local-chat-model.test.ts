import { describe, expect, it } from "vitest";
import { HumanMessage } from "@langchain/core/messages";
import { streamTokens } from "../../src/core/token-stream.ts";
import { LocalChatModel, localReply } from "../../src/models/local-chat-model.ts";
import { collect } from "../support/collect.ts";
import { textOf } from "../support/stream-text.ts";


describe("LocalChatModel", () => {
  const reply = localReply([new HumanMessage("hello")]);
  const replyTokens = reply.match(/\s*\S+/g)!;

  it("should stream its reply through the producer with usage and finish reason", async () => {
    const { events } = await collect(streamTokens(new LocalChatModel({ tokensPerSecond: 0 }), "hello"));
    // A reader that falls behind gets tokens merged: the text and the last sequence number tell.
    expect(textOf(events)).toBe(reply);
    expect(events.at(-1)).toEqual({
      type: "finished",
      seq: replyTokens.length + 1,
      finishReason: "stop",
      usage: { inputTokens: 1, outputTokens: replyTokens.length, totalTokens: 1 + replyTokens.length },
    });
  });

  it("should call handleLLMNewToken with each chunk", async () => {
    const seen: string[] = [];
    const model = new LocalChatModel({ tokensPerSecond: 0 });
    // LangChain passes the chunk as the sixth argument; the test reads it from `arguments`.
    const callbacks = [{ handleLLMNewToken: (...args: unknown[]) => void seen.push((args[5] as { chunk: { text: string } }).chunk.text) }];
    for await (const _ of await model.stream("hello", { callbacks })) {
      // drain
    }
    expect(seen.join("")).toBe(reply);
  });

  it("should stop with finish reason length at maxTokens", async () => {
    const { events } = await collect(streamTokens(new LocalChatModel({ tokensPerSecond: 0, maxTokens: 3 }), "hello"));
    expect(textOf(events)).toBe(replyTokens.slice(0, 3).join(""));
    expect(events.at(-1)).toMatchObject({ finishReason: "length", usage: { outputTokens: 3 } });
  });

  it("should stop at once when its signal aborts", async () => {
    const controller = new AbortController();
    const model = new LocalChatModel({ tokensPerSecond: 5 });
    const read = async () => {
      for await (const chunk of await model.stream("hello", { signal: controller.signal })) {
        if (chunk.text) controller.abort();
      }
    };
    await expect(read()).rejects.toThrow();
  });
});
