import { ChatOpenAICompletions, type OpenAIClient } from "@langchain/openai";
import type { CallbackManagerForLLMRun } from "@langchain/core/callbacks/manager";
import type { AIMessageChunk, BaseMessage, BaseMessageChunk } from "@langchain/core/messages";
import type { ChatGenerationChunk } from "@langchain/core/outputs";

/**
 * OpenAI's chat-completions client that keeps the reasoning OpenAI-compatible
 * servers stream beside the answer: `delta.reasoning_content` (DeepSeek,
 * llama.cpp, older vLLM) or `delta.reasoning` (Ollama, newer vLLM). Each
 * piece's chunk holds it as a standard `reasoning` content block, in
 * LangChain's v1 output (`response_metadata.output_version`), which its
 * blocks are read from as they are: OpenAI's own content translator reads no
 * reasoning from a chat completion. The text also stays in
 * `additional_kwargs.reasoning_content`, where LangChain's DeepSeek client keeps it.
 */
export class OpenAICompletions extends ChatOpenAICompletions {
  protected override _convertCompletionsDeltaToBaseMessageChunk(
    delta: Record<string, unknown>,
    rawResponse: OpenAIClient.Chat.Completions.ChatCompletionChunk,
    defaultRole?: OpenAIClient.Chat.ChatCompletionRole,
  ): BaseMessageChunk {
    const chunk = super._convertCompletionsDeltaToBaseMessageChunk(delta, rawResponse, defaultRole);
    // One spelling a piece: a server between the two names sends the same text under both.
    const reasoning = typeof delta.reasoning_content === "string" ? delta.reasoning_content : delta.reasoning;
    if (typeof reasoning === "string" && reasoning !== "") chunk.additional_kwargs = { ...chunk.additional_kwargs, reasoning_content: reasoning };
    return chunk;
  }

  override async *_streamResponseChunks(
    messages: BaseMessage[],
    options: this["ParsedCallOptions"],
    runManager?: CallbackManagerForLLMRun,
  ): AsyncGenerator<ChatGenerationChunk> {
    // Changed before the chunk is passed on: the parent hands the same chunk to the callbacks once it resumes. The
    // parent skips a delta whose content is not a string, so the blocks are made here and not in the converter.
    for await (const chunk of super._streamResponseChunks(messages, options, runManager)) yield withReasoningBlock(chunk);
  }
}

function withReasoningBlock(chunk: ChatGenerationChunk): ChatGenerationChunk {
  const message = chunk.message as AIMessageChunk;
  const reasoning = message.additional_kwargs.reasoning_content;
  if (typeof reasoning !== "string" || reasoning === "") return chunk;
  const text = typeof message.content === "string" ? message.content : "";
  message.content = text === "" ? [{ type: "reasoning", reasoning }] : [{ type: "reasoning", reasoning }, { type: "text", text }];
  message.response_metadata = { ...message.response_metadata, output_version: "v1" };
  return chunk;
}
