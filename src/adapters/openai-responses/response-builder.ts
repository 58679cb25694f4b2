import type { ChatMessage } from "../../core/generation-request.ts";
import type { TokenEvent, Usage } from "../../core/token-event.ts";
import type { TokenwireError } from "../../core/tokenwire-error.ts";
import { createdAtOf, outputItemId } from "./response-ids.ts";
import { responseNoteOf } from "./response-note.ts";

/** One event of the Responses API's stream, before its `sequence_number`. */
export type ResponseEvent = { type: string } & Record<string, unknown>;

/** What a response object repeats of the request that made it. */
export interface ResponseEcho {
  instructions: string | null;
  metadata: Record<string, string>;
  temperature: number | null;
  max_output_tokens: number | null;
  tools: Record<string, unknown>[];
  tool_choice: unknown;
  background: boolean;
  store: boolean;
  previous_response_id: string | null;
}

/** A response read back from a log that kept no note of its request: none of its fields is known. */
export const unknownEcho: ResponseEcho = {
  instructions: null,
  metadata: {},
  temperature: null,
  max_output_tokens: null,
  tools: [],
  tool_choice: "auto",
  background: true,
  store: true,
  previous_response_id: null,
};

/** Where a response stands. */
export type ResponseStatus = "in_progress" | "completed" | "incomplete" | "cancelled" | "failed";

/**
 * A response as a stream's events build it: what each event adds to the
 * stream of the Responses API, and the response object as it stands.
 */
export interface ResponseBuilder {
  /** The Responses API's events for one of tokenwire's, in order; none for an event it has no word for. */
  event(event: TokenEvent): ResponseEvent[];
  /** The events that end a stream that failed: none for one that ended well or that its reader left. */
  end(error: TokenwireError | undefined): ResponseEvent[];
  /** The response object as it stands now. */
  response(): Record<string, unknown>;
  readonly status: ResponseStatus;
  /** The messages its output follows, as the note in its log keeps them; none when it kept no note. */
  readonly conversation: ChatMessage[];
}

interface Item {
  kind: "message" | "reasoning" | "function_call";
  id: string;
  index: number;
  text: string;
  /** A text or reasoning item's model call, which a new model call of a graph does not continue. */
  runId?: string;
  callId?: string;
  name?: string;
  status: "in_progress" | "completed" | "incomplete";
}

const prefixes = { message: "msg", reasoning: "rs", function_call: "fc" } as const;

// What OpenAI's `error.code` says of each kind of failure; its list has no word for most of tokenwire's codes.
const failureCodes: Record<string, string> = { resource_exhausted: "rate_limit_exceeded", invalid_argument: "invalid_prompt" };

// How a stream that did not finish well ends, by its finish reason: the status, and why it is incomplete.
const incompleteReasons: Record<string, string> = { length: "max_output_tokens", content_filter: "content_filter" };

/**
 * Builds a response from tokenwire's events: text as a `message` item with
 * one `output_text` part, reasoning as a `reasoning` item with one summary
 * part, each tool call as a `function_call` item. A text or reasoning item
 * ends where anything else begins (a new model call of a graph begins a new
 * one); a function call ends with its whole call. A length or content-filter
 * finish is `incomplete`, a stop request `cancelled`, a failure `failed`.
 * A started event read from a kept response's log brings the request's
 * fields that the response repeats, and the conversation before it.
 */
export function createResponseBuilder(options: { id: string; echo: ResponseEcho }): ResponseBuilder {
  const { id } = options;
  let { echo } = options;
  let conversation: ChatMessage[] = [];
  const items: Item[] = [];
  const pieces = new Map<string, Item>(); // a streamed call's item, by its model call and index
  const calls = new Map<string, Item>(); // a streamed call's item, by its call id
  let open: Item | undefined; // the text or reasoning item that deltas of its kind and model call continue
  let model = "";
  let status: ResponseStatus = "in_progress";
  let usage: Usage | undefined;
  let failure: TokenwireError | undefined;
  let incomplete: string | undefined;

  const add = (kind: Item["kind"], fields: Partial<Item> = {}): Item => {
    const item: Item = { kind, id: outputItemId(prefixes[kind], id, items.length), index: items.length, text: "", status: "in_progress", ...fields };
    items.push(item);
    return item;
  };
  const at = (item: Item) => ({ item_id: item.id, output_index: item.index });
  const lifecycle = (type: string): ResponseEvent => ({ type, response: response() });

  // The events that open an item, with its first part.
  const opened = (item: Item): ResponseEvent[] => {
    const added: ResponseEvent = { type: "response.output_item.added", output_index: item.index, item: { ...itemObject(item), ...(item.kind === "message" && { content: [] }) } };
    if (item.kind === "message") return [added, { type: "response.content_part.added", ...at(item), content_index: 0, part: outputText("") }];
    if (item.kind === "reasoning") return [added, { type: "response.reasoning_summary_part.added", ...at(item), summary_index: 0, part: summaryText("") }];
    return [added];
  };

  // The events that end an item: its whole text, its part, then the item as it ends.
  const closed = (item: Item, ending: Item["status"] = "completed"): ResponseEvent[] => {
    if (item.status !== "in_progress") return [];
    item.status = ending;
    if (open === item) open = undefined;
    const done: ResponseEvent = { type: "response.output_item.done", output_index: item.index, item: itemObject(item) };
    if (item.kind === "message") {
      const text = { ...at(item), content_index: 0 };
      return [{ type: "response.output_text.done", ...text, text: item.text, logprobs: [] }, { type: "response.content_part.done", ...text, part: outputText(item.text) }, done];
    }
    if (item.kind === "reasoning") {
      const part = { ...at(item), summary_index: 0 };
      return [{ type: "response.reasoning_summary_text.done", ...part, text: item.text }, { type: "response.reasoning_summary_part.done", ...part, part: summaryText(item.text) }, done];
    }
    return [{ type: "response.function_call_arguments.done", ...at(item), arguments: item.text }, done];
  };
  const closeOpen = (): ResponseEvent[] => (open ? closed(open) : []);

  // Text or reasoning: the open item of its kind and model call grows, else a new one opens.
  const grow = (kind: "message" | "reasoning", event: { text: string; origin?: { runId?: string } }): ResponseEvent[] => {
    const runId = event.origin?.runId;
    const events: ResponseEvent[] = [];
    if (open?.kind !== kind || open.runId !== runId) {
      events.push(...closeOpen());
      open = add(kind, { runId });
      events.push(...opened(open));
    }
    open.text += event.text;
    const delta = kind === "message" ? { type: "response.output_text.delta", content_index: 0, logprobs: [] } : { type: "response.reasoning_summary_text.delta", summary_index: 0 };
    return [...events, { ...delta, ...at(open), delta: event.text }];
  };

  const piece = (event: Extract<TokenEvent, { type: "tool_call_delta" }>): ResponseEvent[] => {
    const key = `${event.origin?.runId}:${event.index}`;
    const events: ResponseEvent[] = [];
    if (event.id !== undefined) {
      events.push(...closeOpen());
      const item = add("function_call", { callId: event.id, name: event.name ?? "" });
      pieces.set(key, item);
      calls.set(event.id, item);
      events.push(...opened(item));
    }
    const item = pieces.get(key);
    // A piece before its call's first one has nothing to belong to.
    if (!item || item.status !== "in_progress") return events;
    item.text += event.text;
    if (event.text !== "") events.push({ type: "response.function_call_arguments.delta", ...at(item), delta: event.text });
    return events;
  };

  // A whole call: the end of its streamed item (its arguments as the call has them), or the whole item at once.
  const call = (event: Extract<TokenEvent, { type: "tool_call" }>): ResponseEvent[] => {
    const streamed = calls.get(event.id);
    if (streamed?.status === "in_progress") {
      streamed.text = event.argsJson;
      return closed(streamed);
    }
    const events = closeOpen();
    const item = add("function_call", { callId: event.id, name: event.name });
    events.push(...opened(item));
    item.text = event.argsJson;
    events.push({ type: "response.function_call_arguments.delta", ...at(item), delta: event.argsJson });
    return [...events, ...closed(item)];
  };

  const finish = (event: Extract<TokenEvent, { type: "finished" }>): ResponseEvent[] => {
    usage = event.usage;
    incomplete = incompleteReasons[event.finishReason];
    status = event.finishReason === "stopped" ? "cancelled" : incomplete ? "incomplete" : "completed";
    const ending = status === "completed" ? "completed" : "incomplete";
    const events = items.flatMap((item) => closed(item, ending));
    // The Responses API has no event of its own for a cancelled response: it ends as one that did not complete.
    return [...events, lifecycle(status === "completed" ? "response.completed" : "response.incomplete")];
  };

  function response(): Record<string, unknown> {
    return {
      id,
      object: "response",
      created_at: createdAtOf(id),
      status,
      background: echo.background,
      error: failure ? { code: failureCodes[failure.code] ?? "server_error", message: failure.message } : null,
      incomplete_details: incomplete ? { reason: incomplete } : null,
      instructions: echo.instructions,
      max_output_tokens: echo.max_output_tokens,
      metadata: echo.metadata,
      model,
      output: items.map(itemObject),
      parallel_tool_calls: true,
      previous_response_id: echo.previous_response_id,
      reasoning: null,
      store: echo.store,
      temperature: echo.temperature,
      text: { format: { type: "text" } },
      tool_choice: echo.tool_choice,
      tools: echo.tools,
      top_p: null,
      truncation: "disabled",
      usage: usage ? usageOf(usage) : null,
      user: null,
    };
  }

  return {
    get status() {
      return status;
    },
    get conversation() {
      return conversation;
    },
    event(event) {
      switch (event.type) {
        case "started":
          model = event.model;
          ({ echo, conversation } = responseNoteOf(event.note) ?? { echo, conversation });
          return [lifecycle("response.created"), lifecycle("response.in_progress")];
        case "delta":
          return grow("message", event);
        case "reasoning":
          return grow("reasoning", event);
        case "tool_call_delta":
          return piece(event);
        case "tool_call":
          return call(event);
        case "finished":
          return finish(event);
        default:
          // A tool a graph ran itself has no item here: its effect shows in the text that follows.
          return [];
      }
    },
    end(error) {
      if (!error || status !== "in_progress") return [];
      status = error.code === "canceled" ? "cancelled" : "failed";
      if (status === "failed") failure = error;
      const ended = items.flatMap((item) => closed(item, "incomplete"));
      // A reader that left, or a stream no reader came back to, ends here with no word of its own.
      if (status === "cancelled") return [];
      return [...ended, { type: "error", code: error.code, message: error.message, param: null }, lifecycle("response.failed")];
    },
    response,
  };
}

function itemObject(item: Item): Record<string, unknown> {
  const head = { id: item.id, type: item.kind, status: item.status };
  if (item.kind === "message") return { ...head, role: "assistant", content: [outputText(item.text)] };
  if (item.kind === "reasoning") return { ...head, summary: item.text === "" && item.status === "in_progress" ? [] : [summaryText(item.text)] };
  return { ...head, call_id: item.callId, name: item.name, arguments: item.text };
}

function outputText(text: string) {
  return { type: "output_text", text, annotations: [], logprobs: [] };
}

function summaryText(text: string) {
  return { type: "summary_text", text };
}

function usageOf(usage: Usage): Record<string, unknown> {
  return {
    input_tokens: usage.inputTokens,
    input_tokens_details: { cached_tokens: 0 },
    output_tokens: usage.outputTokens,
    output_tokens_details: { reasoning_tokens: 0 },
    total_tokens: usage.totalTokens,
  };
}
