import { Code, ConnectError } from "@connectrpc/connect";
import { serverUrl } from "./chat-client.ts";

/**
 * A call's error, told as what to check when the browser could not reach the
 * server: fetch fails with `unknown` and the same few words ("Failed to
 * fetch") whether the server is down or refuses this page's origin.
 * Undefined for any other error. `received` tells whether the call had
 * answered before it failed.
 */
export function unreachableError(error: ConnectError, received: boolean): ConnectError | undefined {
  if (error.code !== Code.Unknown) return undefined;
  const what = received ? "lost the connection to" : "could not reach";
  const running = received ? "still running there" : "running there";
  const origin = new URL(serverUrl).origin === location.origin ? "" : `, and that its TOKENWIRE_CORS_ORIGINS allows this page's origin ${location.origin}`;
  return new ConnectError(`${what} the tokenwire server at ${serverUrl} (${error.rawMessage}): check that it is ${running}${origin}`, Code.Unavailable);
}
