import { BaseCallbackHandler } from "@langchain/core/callbacks/base";
import type { Serialized } from "@langchain/core/load/serializable";
import type { HandleLLMNewTokenCallbackFields } from "@langchain/core/callbacks/base";
import type { LLMResult } from "@langchain/core/outputs";
import { errors } from "../errors.ts";
import type { Origin, TokenPart, Usage } from "../token-event.ts";
import { describe } from "./chunk-source.ts";
import { addUsage, finishedPart, isMessageChunk, partsOf, rawFinishReason, type MessageChunk } from "./message-parts.ts";
import { createPartChannel } from "./part-channel.ts";
import { createToolCallAssembler } from "./tool-call-assembler.ts";
import { startedEvent, type SourceEvent, type SourceRun } from "./token-source.ts";

/** What the source knows of one model call in flight. */
interface ModelRun {
  origin: Origin;
  toolCalls: ReturnType<typeof createToolCallAssembler>;
  tokens: number;
}

/**
 * The source for every other runnable: graphs, agents, lambdas and chains that
 * call models inside. LangChain's callbacks reach every chat model however
 * deeply it is nested, and name its graph node; the runnable's own output is
 * read only when no model spoke (a lambda that returns text).
 */
export async function* callbackSource<I>(run: SourceRun<I>): AsyncGenerator<SourceEvent> {
  yield startedEvent(run);
  const channel = createPartChannel<TokenPart>();
  const handler = new PartsHandler(channel, run.onUsage);
  let outputText = false;
  let lastOutput: unknown;
  const drained = (async () => {
    for await (const chunk of await run.runnable.stream(run.input, { signal: run.signal, runId: run.runId, callbacks: [handler] })) {
      lastOutput = chunk;
      // Text a runnable yields itself (a lambda, a generator) streams as it comes, unless models already spoke.
      if (typeof chunk !== "string" || chunk === "" || handler.modelParts > 0) continue;
      outputText = true;
      await channel.push({ type: "delta", text: chunk });
    }
  })();
  drained.then(() => channel.end(), (reason: unknown) => channel.end(reason ?? new Error("the runnable failed")));
  yield* channel;
  if (run.signal.aborted) return;
  if (handler.modelParts === 0 && !outputText) yield* partsOfOutput(lastOutput);
  if (handler.cutRuns > 0) throw errors.noFinishReason();
  yield finishedPart(handler.finishReason, handler.usage);
}

// The output of a runnable in which no model streamed: a message (a lambda returning `model.invoke(…)`) or nothing readable.
function partsOfOutput(output: unknown): TokenPart[] {
  if (!isMessageChunk(output)) throw errors.notTokens(describe(output));
  return partsOf(output, undefined);
}

/**
 * Turns LangChain's callbacks into parts. `lc_prefer_streaming` makes models
 * that are invoked (not streamed) inside a graph or lambda stream all the
 * same; `awaitHandlers` runs the handler in the model's loop rather than on
 * LangChain's shared background queue, so backpressure reaches the model.
 */
class PartsHandler extends BaseCallbackHandler {
  name = "tokenwire";
  override awaitHandlers = true;
  readonly lc_prefer_streaming = true;
  modelParts = 0;
  cutRuns = 0;
  finishReason: string | undefined;
  usage: Usage | undefined;
  readonly #models = new Map<string, ModelRun>();
  readonly #tools = new Map<string, { origin: Origin; name: string; toolCallId: string }>();

  private readonly channel: ReturnType<typeof createPartChannel<TokenPart>>;
  private readonly onUsage: ((usage: Usage) => void) | undefined;

  constructor(channel: ReturnType<typeof createPartChannel<TokenPart>>, onUsage: ((usage: Usage) => void) | undefined) {
    super();
    this.channel = channel;
    this.onUsage = onUsage;
  }

  // eslint-disable-next-line max-params -- LangChain's callback signature
  override handleChatModelStart(_llm: Serialized, _messages: unknown, runId: string, _parent?: string, _extra?: unknown, _tags?: string[], metadata?: Record<string, unknown>) {
    this.#models.set(runId, { origin: originOf(runId, metadata), toolCalls: createToolCallAssembler(), tokens: 0 });
  }

  // eslint-disable-next-line max-params -- LangChain's callback signature
  override async handleLLMNewToken(token: string, _idx: unknown, runId: string, _parent?: string, _tags?: string[], fields?: HandleLLMNewTokenCallbackFields) {
    const model = this.#models.get(runId);
    if (!model) return;
    const message = fields?.chunk && "message" in fields.chunk ? fields.chunk.message : undefined;
    await this.#push(model, isMessageChunk(message) ? partsOf(message, model.origin) : [{ type: "delta", text: token, origin: model.origin }]);
  }

  override async handleLLMEnd(output: LLMResult, runId: string) {
    const model = this.#models.get(runId);
    if (!model) return;
    this.#models.delete(runId);
    // The whole message, its chunks joined: finish reason and usage summed once, not read on every token.
    const generation = output.generations[0]?.[0] as { message?: unknown; generationInfo?: { finish_reason?: unknown } } | undefined;
    const message = generation?.message;
    if (!isMessageChunk(message)) return;
    // A streamed call keeps the finish reason in the generation's info; a whole message, in its metadata.
    const info = generation?.generationInfo?.finish_reason;
    const finishReason = typeof info === "string" ? info : rawFinishReason(message);
    this.finishReason = finishReason ?? this.finishReason;
    this.usage = addUsage(this.usage, message);
    if (model.tokens > 0 && finishReason === undefined) this.cutRuns++;
    // Only a call that finished has its whole usage: one cut off by a stop may hold a part of it, or none.
    else if (finishReason !== undefined && this.usage) this.onUsage?.(this.usage);
    // A model that did not stream (streaming disabled) reports its whole message here only.
    if (model.tokens === 0) await this.#push(model, fullMessageParts(message, model.origin));
    for (const call of model.toolCalls.finish(model.origin)) await this.channel.push(call);
  }

  override handleLLMError(_error: unknown, runId: string) {
    this.#models.delete(runId);
  }

  // eslint-disable-next-line max-params -- LangChain's callback signature
  override handleToolStart(tool: Serialized, _input: string, runId: string, _parent?: string, _tags?: string[], metadata?: Record<string, unknown>, runName?: string, toolCallId?: string) {
    this.#tools.set(runId, { origin: originOf(runId, metadata), name: runName ?? String(tool.id?.at(-1) ?? ""), toolCallId: toolCallId ?? "" });
  }

  override async handleToolEnd(output: unknown, runId: string) {
    const tool = this.#tools.get(runId);
    if (!tool) return;
    this.#tools.delete(runId);
    const message = output as { content?: unknown; tool_call_id?: string; name?: string; status?: string } | undefined;
    const content = message && typeof message === "object" && "content" in message ? message.content : output;
    await this.channel.push({
      type: "tool_result",
      toolCallId: message?.tool_call_id ?? tool.toolCallId,
      name: message?.name ?? tool.name,
      content: typeof content === "string" ? content : JSON.stringify(content ?? null),
      isError: message?.status === "error",
      origin: tool.origin,
    });
  }

  override async handleToolError(error: unknown, runId: string) {
    const tool = this.#tools.get(runId);
    if (!tool) return;
    this.#tools.delete(runId);
    const content = error instanceof Error ? error.message : String(error);
    await this.channel.push({ type: "tool_result", toolCallId: tool.toolCallId, name: tool.name, content, isError: true, origin: tool.origin });
  }

  async #push(model: ModelRun, parts: TokenPart[]): Promise<void> {
    for (const part of parts) {
      if (part.type === "tool_call_delta") model.toolCalls.add(part);
      model.tokens++;
      this.modelParts++;
      const wait = this.channel.push(part);
      if (wait) await wait;
    }
  }
}

function originOf(runId: string, metadata: Record<string, unknown> | undefined): Origin {
  const node = metadata?.langgraph_node;
  return typeof node === "string" ? { node, runId } : { runId };
}

// A whole message's parts: its text, and its tool calls as finished calls.
function fullMessageParts(message: MessageChunk & { tool_calls?: { id?: string; name: string; args: unknown }[] }, origin: Origin): TokenPart[] {
  const parts = partsOf(message, origin).filter((part) => part.type !== "tool_call_delta");
  for (const call of message.tool_calls ?? []) parts.push({ type: "tool_call", id: call.id ?? "", name: call.name, argsJson: JSON.stringify(call.args), origin });
  return parts;
}
