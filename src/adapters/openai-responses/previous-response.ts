import { errors } from "../../core/errors.ts";
import type { ChatMessage } from "../../core/generation-request.ts";
import type { Tokenwire } from "../../core/tokenwire.ts";
import type * as dialect from "../dialect/dialect-handler.ts";
import type { JsonObject } from "../dialect/json-fields.ts";
import { heldResponse } from "./read-response.ts";
import { outputMessages } from "./response-input.ts";

/**
 * The conversation that a response naming `previous_response_id` goes on
 * from: the previous response's own (its whole chain's, as its log keeps it,
 * its instructions apart), then its output. One this server does not hold
 * (unknown, expired, made with `store: false`, or another caller's) is
 * `previousResponseNotFound`; one still generating is refused, as its
 * output is not whole yet.
 */
export async function previousConversation(tokenwire: Tokenwire, id: string, request: dialect.DialectRequest): Promise<ChatMessage[]> {
  const previous = await heldResponse(tokenwire, id, request);
  if (!previous) throw errors.previousResponseNotFound(id);
  if (previous.status === "in_progress") throw errors.invalidRequest("previous_response_id names a response still in progress (wait for it to end)");
  return [...previous.conversation, ...outputMessages(previous.response().output as JsonObject[])];
}
