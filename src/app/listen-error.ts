import { ConfigError } from "../config/config-error.ts";

/**
 * Turns the errors of `listen()` that a setting causes into a
 * {@link ConfigError} that names the setting; any other error is returned as it is.
 */
export function listenError(error: unknown, { host, port }: { host: string; port: number }): unknown {
  switch ((error as NodeJS.ErrnoException).code) {
    case "EADDRINUSE":
      return new ConfigError(`port ${port} on ${host} is already in use: stop what listens there, or set PORT to another port (PORT=0 picks a free one)`, { cause: error });
    case "EACCES":
      return new ConfigError(`this user may not listen on port ${port} (ports below 1024 need privileges): set PORT to 1024 or above, such as 8080`, { cause: error });
    case "EADDRNOTAVAIL":
    case "ENOTFOUND":
    case "EAI_AGAIN":
      return new ConfigError(`HOST=${host} is not an address of this machine: set HOST to one of its addresses, 127.0.0.1 for this machine only, or 0.0.0.0 for all`, { cause: error });
    default:
      return error;
  }
}
