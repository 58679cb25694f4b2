import { errors } from "../../core/errors.ts";
import type { Tokenwire } from "../../core/tokenwire.ts";
import type * as dialect from "../dialect/dialect-handler.ts";
import type { JsonObject } from "../dialect/json-fields.ts";
import { heldResponse } from "./read-response.ts";
import { itemPlaceOf } from "./response-ids.ts";

/**
 * The request's body with each `item_reference` of its input replaced by the
 * item it names: an output item of a response kept here, whose id names its
 * response (each response read once, however many of its items are named).
 * An item not held (an id not of this server's shape, its response unknown,
 * expired, made with `store: false` or another caller's) is `itemNotFound`;
 * one still being written is refused, as it is not whole yet.
 */
export async function withItemsReferenced(tokenwire: Tokenwire, request: dialect.DialectRequest): Promise<unknown> {
  const body = request.body as JsonObject | undefined;
  const input = body?.input;
  if (!Array.isArray(input) || !input.some(isReference)) return body;
  const outputs = new Map<string, Promise<JsonObject[] | undefined>>();
  const outputOf = (responseId: string) => {
    const output = outputs.get(responseId) ?? heldResponse(tokenwire, responseId, request).then((held) => held?.response().output as JsonObject[] | undefined);
    outputs.set(responseId, output);
    return output;
  };
  const resolved = input.map(async (item: unknown, index) => (isReference(item) ? referenced({ id: item.id, what: `input[${index}]`, outputOf }) : item));
  return { ...body, input: await Promise.all(resolved) };
}

function isReference(item: unknown): item is JsonObject {
  return typeof item === "object" && item !== null && (item as JsonObject).type === "item_reference";
}

async function referenced({ id, what, outputOf }: { id: unknown; what: string; outputOf: (responseId: string) => Promise<JsonObject[] | undefined> }): Promise<JsonObject> {
  if (typeof id !== "string") throw errors.invalidRequest(`${what}.id must be a string (the id of an item this server answered)`);
  const place = itemPlaceOf(id);
  const item = place && (await outputOf(place.responseId))?.[place.index];
  if (item?.id !== id) throw errors.itemNotFound(id);
  if (item.status === "in_progress") throw errors.invalidRequest(`${what} names item ${id} which its response is still writing (wait for it to end)`);
  return item;
}
