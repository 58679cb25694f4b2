import { pino, type Logger } from "pino";
import { terminalLog } from "./terminal-log.ts";

/**
 * `npm start`'s logger: one JSON line per event on stdout, which tools read;
 * when stdout is a terminal, one short line for a person instead ({@link terminalLog}).
 */
export function appLogger({ terminal = Boolean(process.stdout.isTTY) } = {}): Logger {
  return terminal ? pino({}, terminalLog()) : pino();
}
