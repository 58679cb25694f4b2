import { ConfigError } from "./config-error.ts";

/**
 * An API key as given, or a {@link ConfigError} when an HTTP header cannot
 * carry it: a space, a line break (a key pasted with its newline) or a
 * character outside printable ASCII. The value is never quoted back.
 */
export function checkedApiKey(key: string | undefined, name: string): string | undefined {
  if (key && !/^[\x21-\x7e]+$/.test(key)) {
    throw new ConfigError(`${name} holds a space, a line break or a character an HTTP header cannot carry: set it to the key alone`);
  }
  return key;
}
