import type { CallbackManagerForLLMRun } from "@langchain/core/callbacks/manager";
import { BaseChatModel, type BaseChatModelCallOptions, type BaseChatModelParams } from "@langchain/core/language_models/chat_models";
import { AIMessage, AIMessageChunk, type BaseMessage } from "@langchain/core/messages";
import { ChatGenerationChunk, type ChatResult } from "@langchain/core/outputs";

/** Fields of {@link LocalChatModel}. */
export interface LocalChatModelFields extends BaseChatModelParams {
  /** Tokens a second; 0 streams as fast as the event loop allows. Default 30. */
  tokensPerSecond?: number;
  /** Ends the reply with finish reason `length` after this many tokens. */
  maxTokens?: number;
}

/**
 * tokenwire's local demo model: a real LangChain chat model that needs no key
 * and no network. It does not understand language; it streams a fixed reply
 * that quotes the last message, at a set pace, so the service can be tried
 * and tested anywhere.
 */
export class LocalChatModel extends BaseChatModel<BaseChatModelCallOptions> {
  readonly tokensPerSecond: number;
  readonly maxTokens: number | undefined;

  constructor(fields: LocalChatModelFields = {}) {
    super(fields);
    this.tokensPerSecond = fields.tokensPerSecond ?? 30;
    this.maxTokens = fields.maxTokens;
  }

  _llmType(): string {
    return "tokenwire-local";
  }

  async _generate(messages: BaseMessage[], options: this["ParsedCallOptions"], runManager?: CallbackManagerForLLMRun): Promise<ChatResult> {
    let text = "";
    for await (const chunk of this._streamResponseChunks(messages, options, runManager)) text += chunk.text;
    return { generations: [{ text, message: new AIMessage(text) }] };
  }

  override async *_streamResponseChunks(
    messages: BaseMessage[],
    options: this["ParsedCallOptions"],
    runManager?: CallbackManagerForLLMRun,
  ): AsyncGenerator<ChatGenerationChunk> {
    const tokens = localReply(messages).match(/\s*\S+/g) ?? [];
    const limit = Math.min(tokens.length, this.maxTokens ?? Infinity);
    const interval = this.tokensPerSecond > 0 ? 1000 / this.tokensPerSecond : 0;
    for (let i = 0; i < limit; i++) {
      await pause(interval, options.signal);
      const chunk = new ChatGenerationChunk({ text: tokens[i]!, message: new AIMessageChunk({ content: tokens[i]! }) });
      yield chunk;
      await runManager?.handleLLMNewToken(tokens[i]!, undefined, undefined, undefined, undefined, { chunk });
    }
    const inputTokens = messages.reduce((sum, m) => sum + (m.text.match(/\S+/g)?.length ?? 0), 0);
    yield new ChatGenerationChunk({
      text: "",
      message: new AIMessageChunk({
        content: "",
        response_metadata: { finish_reason: limit < tokens.length ? "length" : "stop", model_name: "local" },
        usage_metadata: { input_tokens: inputTokens, output_tokens: limit, total_tokens: inputTokens + limit },
      }),
    });
  }
}

/** The demo reply: says what it is and echoes the last message. */
export function localReply(messages: BaseMessage[]): string {
  const last = messages.at(-1)?.text.trim() ?? "";
  return (
    "This is tokenwire's local demo model, streaming a fixed reply so that the service runs with no key and no network. " +
    `Set OPENAI_API_KEY or OPENAI_BASE_URL to talk to a real model. You said: ${last}`
  );
}

// Waits between tokens, and wakes at once with an AbortError when the call is canceled.
function pause(ms: number, signal: AbortSignal | undefined): Promise<void> {
  if (signal?.aborted) return Promise.reject(signal.reason ?? new DOMException("aborted", "AbortError"));
  if (ms === 0) return new Promise((resolve) => setImmediate(resolve));
  return new Promise((resolve, reject) => {
    const onAbort = () => {
      clearTimeout(timer);
      reject(new DOMException("aborted", "AbortError"));
    };
    const timer = setTimeout(() => {
      signal?.removeEventListener("abort", onAbort);
      resolve();
    }, ms);
    signal?.addEventListener("abort", onAbort, { once: true });
  });
}
