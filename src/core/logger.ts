/** The logging the core needs: a subset of pino's API, so a pino logger fits as is. */
export interface Logger {
  info(fields: object, message?: string): void;
  warn(fields: object, message?: string): void;
  error(fields: object, message?: string): void;
}

/** A logger that drops everything: the default for embedders who pass none. */
export const silentLogger: Logger = { info() {}, warn() {}, error() {} };

// JSON.stringify, and so pino, writes these three raw: JavaScript and many log viewers read each as a line break,
// so a caller's string (a model name, a chat id) could cut a log line in two and forge the second half.
const lineBreaks = /[\u0085\u2028\u2029]/g;
const lineBreak = /[\u0085\u2028\u2029]/;

/** Text for a log line with U+0085, U+2028 and U+2029 written as `\u` escapes, which JSON leaves raw. */
export function escapeLogText(text: string): string {
  return text.replace(lineBreaks, (char) => `\\u${char.charCodeAt(0).toString(16).padStart(4, "0")}`);
}

/**
 * A log line's fields with every string, however deep in plain objects and
 * arrays, passed through {@link escapeLogText}; the fields themselves when no
 * string holds such a character, which is nearly always, so a line costs no copy.
 */
export function escapeLogFields<T>(fields: T): T {
  return holdsLineBreak(fields) ? escapeDeep(fields) : fields;
}

function escapeDeep<T>(fields: T): T {
  if (typeof fields === "string") return escapeLogText(fields) as T;
  if (Array.isArray(fields)) return fields.map(escapeDeep) as T;
  if (!isPlainObject(fields)) return fields;
  return Object.fromEntries(Object.entries(fields).map(([name, value]) => [name, escapeDeep(value)])) as T;
}

function holdsLineBreak(value: unknown): boolean {
  if (typeof value === "string") return lineBreak.test(value);
  if (Array.isArray(value)) return value.some(holdsLineBreak);
  if (!isPlainObject(value)) return false;
  for (const name in value) if (holdsLineBreak(value[name])) return true;
  return false;
}

function isPlainObject(value: unknown): value is Record<string, unknown> {
  return typeof value === "object" && value !== null && Object.getPrototypeOf(value) === Object.prototype;
}
