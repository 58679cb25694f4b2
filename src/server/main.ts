// `npm start`: serves tokenwire as the environment configures it.
import { ConfigError } from "../models/env-settings.ts";
import { serve } from "./serve.ts";

try {
  await serve();
} catch (error) {
  // A setting to fix is said in one line; anything else is a fault, and keeps its stack trace.
  if (!(error instanceof ConfigError)) throw error;
  process.stderr.write(`tokenwire: cannot start: ${error.message}\n`);
  // Exit at once: the chat page's bundler, already started, would keep the process alive.
  process.exit(1);
}
