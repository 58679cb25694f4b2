import { nearestName } from "./nearest-name.ts";

/**
 * What is wrong with an object of a JSON settings file that holds a field
 * outside `fields`: the first such field, and the known one it is nearest to
 * or else the list of them; undefined when every field is known.
 */
export function unknownField(record: Record<string, unknown>, fields: readonly string[]): string | undefined {
  const unknown = Object.keys(record).find((field) => !fields.includes(field));
  if (unknown === undefined) return undefined;
  const meant = nearestName(unknown, fields, { within: 2 });
  return `has the unknown field "${unknown}": ${meant ? `did you mean "${meant}"?` : `the fields are ${fields.join(", ")}`}`;
}
