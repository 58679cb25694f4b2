import type { Logger } from "pino";
import { errorFields } from "../adapters/node/error-fields.ts";

let logged: Logger | undefined;

/**
 * Logs what Node itself would print on stderr as lines of text, as one JSON
 * line each through `logger`: process warnings (`TimeoutOverflowWarning`,
 * deprecations) at `warn`, and an uncaught error at `fatal`, after which the
 * process exits with code 1 as Node's own handler would. Stacks keep no absolute path.
 */
export function logProcessEvents(logger: Logger): void {
  if (logged) return; // one line per event, however many servers the process starts
  logged = logger;
  // Node's own listener prints each warning as text (onWarning in https://github.com/nodejs/node/blob/v24.x/lib/internal/process/warning.js).
  process.removeAllListeners("warning");
  process.on("warning", (warning) => logger.warn({ warning: errorFields(warning) }, `node warning: ${warning.name}: ${warning.message}`));
  // With a listener, Node neither prints the error nor exits: that is done here, in one line (pino writes stdout synchronously).
  process.on("uncaughtException", (error, origin) => {
    logger.fatal({ error: errorFields(error), origin }, `the process stops on an uncaught ${origin === "unhandledRejection" ? "rejection" : "exception"}: ${errorFields(error).message}`);
    process.exit(1);
  });
}
