/**
 * A setting the process cannot run with. Its message names the setting and
 * what to set it to, and is all a user needs to see: `npm start` prints it as
 * one line, without a stack trace.
 */
export class ConfigError extends Error {
  override name = "ConfigError";
}
