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

/** Parses a request body as JSON; a body that is not JSON is an `invalid_argument`. */
export function parseJson(text: string): unknown {
  try {
    return JSON.parse(text) as unknown;
  } catch {
    throw errors.invalidRequest("the request body is not valid JSON");
  }
}
