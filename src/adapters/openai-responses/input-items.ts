import { errors } from "../../core/errors.ts";
import type { ChatMessage } from "../../core/generation-request.ts";
import { inputItemId } from "./response-ids.ts";

/** Options of {@link inputItemList}. */
export interface InputItemListOptions {
  responseId: string;
  /** The messages before the response's output, as its note keeps them. */
  conversation: ChatMessage[];
  /** `order` (`desc`, the default, or `asc`), `limit` (1 to 100, default 20) and `after` (an item's id). */
  query: URLSearchParams;
}

type Item = Record<string, unknown> & { id: string };

const parameters = new Set(["after", "limit", "order"]);

/**
 * OpenAI's list of a response's input items (`GET /v1/responses/{id}/input_items`):
 * the conversation its output follows (its chain's, its instructions apart),
 * as items, newest first unless `order=asc`, a page of `limit` after the item
 * `after`. A query it cannot honour is an `invalid_argument` that names it.
 */
export function inputItemList({ responseId, conversation, query }: InputItemListOptions): Record<string, unknown> {
  const unknown = [...query.keys()].find((name) => !parameters.has(name));
  if (unknown !== undefined) throw errors.invalidRequest(`${unknown} is not a parameter of this list (after or limit or order)`);
  const order = query.get("order") ?? "desc";
  if (order !== "asc" && order !== "desc") throw errors.invalidRequest("order must be asc or desc");
  const limit = Number(query.get("limit") ?? 20);
  if (!Number.isInteger(limit) || limit < 1 || limit > 100) throw errors.invalidRequest("limit must be an integer from 1 to 100");
  const items = itemsOf(responseId, conversation);
  if (order === "desc") items.reverse();
  const after = query.get("after");
  const start = after === null ? 0 : items.findIndex((item) => item.id === after) + 1;
  if (start === 0 && after !== null) throw errors.invalidRequest(`after names no input item of ${responseId}`);
  const data = items.slice(start, start + limit);
  return { object: "list", data, first_id: data[0]?.id ?? null, last_id: data.at(-1)?.id ?? null, has_more: start + limit < items.length };
}

// Each message as the items an input would have held: an assistant's text then its calls, a tool's result as a call's output.
function itemsOf(responseId: string, conversation: ChatMessage[]): Item[] {
  const items = conversation.flatMap((message): Record<string, unknown>[] => {
    if (message.role === "tool") return [{ type: "function_call_output", status: "completed", call_id: message.toolCallId, output: message.content }];
    if (message.role !== "assistant") return [{ type: "message", role: message.role, status: "completed", content: [{ type: "input_text", text: message.content }] }];
    const calls = (message.toolCalls ?? []).map((call) => ({ type: "function_call", status: "completed", call_id: call.id, name: call.name, arguments: call.argsJson }));
    const text = { type: "message", role: "assistant", status: "completed", content: [{ type: "output_text", text: message.content, annotations: [] }] };
    return message.content === "" && calls.length > 0 ? calls : [text, ...calls];
  });
  const prefixes: Record<string, "msg" | "fc" | "fco"> = { message: "msg", function_call: "fc", function_call_output: "fco" };
  return items.map((item, index) => ({ id: inputItemId(prefixes[item.type as string]!, responseId, index), ...item }));
}
