import type { DestinationStream } from "pino";
import { terminalStyle, type Style } from "./terminal-style.ts";

/** Options of {@link terminalLog}. */
export interface TerminalLogOptions {
  /** Where the lines go; default the process's stdout. */
  write?: (text: string) => void;
  /** Dim the time and colour warnings and errors; default unless `NO_COLOR` is set. */
  color?: boolean;
}

/** What a record of pino's holds, as far as a line for a person reads it. */
type LogRecord = Record<string, unknown> & { level?: number; time?: number; msg?: string };

/**
 * A pino destination for a terminal: each JSON record becomes one short line
 * for a person, `12:04:05  <message>`, with `warning` or `error` before the
 * message when it is one, a stream's figures after it, and an error's stack
 * below. Tools read the JSON lines, which stdout keeps when it is not a terminal.
 */
export function terminalLog({ write = (text) => void process.stdout.write(text), color = !process.env.NO_COLOR }: TerminalLogOptions = {}): DestinationStream {
  const style = terminalStyle(color);
  return {
    write(line: string) {
      const record = JSON.parse(line) as LogRecord;
      write(`${style.dim(clock(record.time))}  ${levelLabel(record.level, style)}${oneLine(record.msg)}${streamFigures(record)}\n${stackOf(record)}`);
    },
  };
}

// A message of several lines (Node's TimeoutOverflowWarning has two) reads as one: one event, one line.
function oneLine(message: string | undefined = ""): string {
  return message.replace(/\s*\n\s*/g, " ");
}

function clock(time: number | undefined): string {
  return new Date(time ?? Date.now()).toTimeString().slice(0, 8);
}

// pino's levels: 40 warn, 50 error, 60 fatal. Information needs no label.
function levelLabel(level = 30, style: Record<"red" | "yellow", Style>): string {
  if (level >= 50) return `${style.red("error")}  `;
  if (level >= 40) return `${style.yellow("warning")}  `;
  return "";
}

// A stream's line (`stream ended`, `stream failed`) says what it was in words; its other fields stay in the JSON.
function streamFigures({ protocol, method, model, caller, tokens, durationMs, finishReason, status, message }: LogRecord): string {
  if (typeof protocol !== "string" || typeof method !== "string") return "";
  const parts = [
    `${protocol} ${method}`,
    model && `model ${String(model)}`,
    caller && `caller ${String(caller)}`,
    typeof tokens === "number" && `${tokens} tokens in ${Math.round(Number(durationMs ?? 0))} ms`,
    finishReason && String(finishReason),
    status !== "ok" && status !== undefined && (message ? `${String(status)}: ${String(message)}` : String(status)),
  ];
  return `: ${parts.filter(Boolean).join(", ")}`;
}

// An uncaught error (the process log's `error`) is worth its stack to the person at the terminal.
function stackOf({ error }: LogRecord): string {
  const stack = (error as { stack?: unknown } | undefined)?.stack;
  if (typeof stack !== "string") return "";
  return `${stack
    .split("\n")
    .slice(1)
    .map((frame) => `    ${frame.trim()}\n`)
    .join("")}`;
}
