/** Why a model stopped generating, as the upstream reported it. */
export type FinishReason = "stop" | "length" | "content_filter" | "tool_calls";

/** Token counts for one stream, as the upstream reported them. */
export interface Usage {
  inputTokens: number;
  outputTokens: number;
  totalTokens: number;
}

/**
 * One event of a token stream. `seq` strictly increases within a stream: 0 for
 * started, the number of the last token a delta holds, one more for finished.
 */
export type TokenEvent =
  | { type: "started"; seq: number; runId: string; model: string }
  | { type: "delta"; seq: number; text: string }
  | { type: "finished"; seq: number; finishReason: FinishReason; usage: Usage | undefined };

/** One LangChain run event (streamEvents v2), reduced to what crosses a wire. */
export interface RunEvent {
  seq: number;
  /** LangChain's name for it: `on_chain_start`, `on_chat_model_stream`, … */
  event: string;
  name: string;
  runId: string;
  tags: string[];
  /** The chunk's text on stream events, else empty. */
  text: string;
  data: unknown;
}
