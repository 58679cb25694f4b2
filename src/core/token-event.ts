/**
 * Why a stream finished: as the upstream reported it, `stopped` when a stop
 * request ended it, `other` for an upstream reason tokenwire does not know.
 */
export type FinishReason = "stop" | "length" | "content_filter" | "tool_calls" | "stopped" | "other";

/** Token counts for one stream, summed over every model call of the run. */
export interface Usage {
  inputTokens: number;
  outputTokens: number;
  totalTokens: number;
}

/** Where a part came from: a graph's node and the model or tool run that produced it. */
export interface Origin {
  /** The LangGraph node (`langgraph_node`); unset outside a graph. */
  node?: string;
  /** LangChain's run id of the model call or tool call. */
  runId?: string;
}

/** A piece of what a runnable produced, before the stream numbers it. */
export type TokenPart =
  /** Answer text since the previous delta. */
  | { type: "delta"; text: string; origin?: Origin }
  /** The model's reasoning since the previous reasoning delta. */
  | { type: "reasoning"; text: string; origin?: Origin }
  /** A piece of a tool call: `text` is a piece of its JSON arguments; the first piece carries `id` and `name`. */
  | { type: "tool_call_delta"; index: number; id?: string; name?: string; text: string; origin?: Origin }
  /** A tool call the model has finished, its arguments as JSON. */
  | { type: "tool_call"; id: string; name: string; argsJson: string; origin?: Origin }
  /** What a tool returned to a graph. */
  | { type: "tool_result"; toolCallId: string; name: string; content: string; isError: boolean; origin?: Origin }
  /** The end of a well-finished stream: the last model's finish reason and the usage of them all (a stopped resumable stream's: of the calls that had finished). */
  | { type: "finished"; finishReason: FinishReason; usage: Usage | undefined; upstreamFinishReason?: string };

/** The parts whose `text` grows while a reader is behind. */
export type DeltaPart = Extract<TokenPart, { type: "delta" | "reasoning" | "tool_call_delta" }>;

/**
 * One event of a token stream. `seq` strictly increases within a stream: 0 for
 * started, one more for each part, and a merged delta carries its last part's.
 */
export type TokenEvent =
  /** `note`: what the call that started a resumable stream kept with it (see `CallContext.note`). */
  | { type: "started"; seq: number; runId: string; model: string; streamId?: string; note?: unknown }
  | (TokenPart & { seq: number });

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
