import { BaseChatModel } from "@langchain/core/language_models/chat_models";
import { AIMessageChunk } from "@langchain/core/messages";
import { ChatGenerationChunk, type ChatResult } from "@langchain/core/outputs";
import { tokenText } from "./bench-model.ts";

/**
 * A chat model that streams the bench's numbered tokens from memory, `perTurn`
 * of them to a turn of the event loop, as a socket read would hand them over:
 * 32 is the bench upstream's fast reply, 1 a paced one. It ends as ChatOpenAI
 * does, with a finish reason and usage, so every tree's core reads it as a model.
 */
export class MemoryChatModel extends BaseChatModel {
  readonly tokens: number;
  readonly perTurn: number;

  constructor({ tokens, perTurn }: { tokens: number; perTurn: number }) {
    super({});
    this.tokens = tokens;
    this.perTurn = perTurn;
  }

  _llmType(): string {
    return "bench-memory";
  }

  async _generate(): Promise<ChatResult> {
    throw new Error("the bench's memory model only streams");
  }

  override async *_streamResponseChunks(): AsyncGenerator<ChatGenerationChunk> {
    for (let i = 0; i < this.tokens; i++) {
      if (i % this.perTurn === 0) await new Promise((resolve) => setImmediate(resolve));
      const text = tokenText(i, undefined);
      yield new ChatGenerationChunk({ text, message: new AIMessageChunk({ content: text }) });
    }
    const usage_metadata = { input_tokens: 1, output_tokens: this.tokens, total_tokens: 1 + this.tokens };
    yield new ChatGenerationChunk({ text: "", message: new AIMessageChunk({ content: "", response_metadata: { finish_reason: "stop" }, usage_metadata }) });
  }
}
