import { errors } from "../../core/errors.ts";

/** A JSON object as a request body holds it: fields read one by one and checked. */
export type JsonObject = Record<string, unknown>;

/** The value as a JSON object; anything else is an `invalid_argument` naming `what`. */
export function objectOf(value: unknown, what: string): JsonObject {
  if (typeof value !== "object" || value === null || Array.isArray(value)) throw errors.invalidRequest(`${what} must be a JSON object`);
  return value as JsonObject;
}

/** A field that must be an array when present; unset or null reads as undefined. */
export function arrayField(body: JsonObject, name: string): unknown[] | undefined {
  const value = body[name];
  if (value === undefined || value === null) return undefined;
  if (!Array.isArray(value)) throw errors.invalidRequest(`${name} must be an array`);
  return value;
}

const kinds = {
  string: (value: unknown): value is string => typeof value === "string",
  number: (value: unknown): value is number => typeof value === "number" && Number.isFinite(value),
  boolean: (value: unknown): value is boolean => typeof value === "boolean",
};

type Kinds = { string: string; number: number; boolean: boolean };

/** A field that must be of this JSON kind when present; unset or null reads as undefined. */
export function field<K extends keyof Kinds>(body: JsonObject, name: string, kind: K): Kinds[K] | undefined {
  const value = body[name];
  if (value === undefined || value === null) return undefined;
  if (!kinds[kind](value)) throw errors.invalidRequest(`${name} must be a ${kind}`);
  return value as Kinds[K];
}

/** The deepest nesting of objects and arrays a request body may hold. */
export const maxJsonDepth = 64;

/** Parses a request body as JSON; a body that is not JSON, or nests deeper than {@link maxJsonDepth}, is an `invalid_argument`. */
export function parseJson(text: string): unknown {
  let value: unknown;
  try {
    value = JSON.parse(text) as unknown;
  } catch {
    throw errors.invalidRequest("the request body is not valid JSON");
  }
  return checkedDepth(value);
}

/**
 * The value, once known to nest no deeper than {@link maxJsonDepth}.
 * JSON.parse takes any depth, but what walks the value later (JSON.stringify,
 * LangChain, the model's client) recurses, and a deep enough value ends it
 * with a stack overflow: this walk keeps its own stack instead.
 */
export function checkedDepth(value: unknown): unknown {
  const pending: [unknown, number][] = [[value, 0]];
  for (let next = pending.pop(); next; next = pending.pop()) {
    const [item, depth] = next;
    if (typeof item !== "object" || item === null) continue;
    if (depth >= maxJsonDepth) throw errors.jsonTooDeep(maxJsonDepth);
    for (const child of Object.values(item)) pending.push([child, depth + 1]);
  }
  return value;
}
