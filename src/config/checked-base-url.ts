import { ConfigError } from "./config-error.ts";

/** The names a message gives a base URL setting and the setting where its key belongs. */
export interface UpstreamSettingNames {
  url: string;
  key: string;
}

/**
 * A model server's base URL as given, or a {@link ConfigError} when no
 * request could use it: not http(s), a user name or password (fetch refuses
 * URLs with credentials, so every call would fail after its retries), or a
 * fragment (which would swallow each request's path). The value is never
 * quoted back: it may carry a key.
 */
export function checkedBaseUrl(url: string | undefined, names: UpstreamSettingNames): string | undefined {
  if (!url) return url;
  const parsed = URL.canParse(url) ? new URL(url) : undefined;
  if (!parsed || !/^https?:$/.test(parsed.protocol)) throw new ConfigError(`${names.url} must be an http:// or https:// URL, such as http://127.0.0.1:11434/v1`);
  if (parsed.username || parsed.password) {
    throw new ConfigError(`${names.url} carries a user name or password, which fetch refuses to send: put the key in ${names.key} and give ${names.url} without them`);
  }
  if (parsed.hash) throw new ConfigError(`${names.url} ends in a fragment (#…), which would cut every request's path: give it without one`);
  return url;
}
