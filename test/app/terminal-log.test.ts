import { describe, expect, it } from "vitest";
import { pino } from "pino";
import { terminalLog } from "../../src/app/terminal-log.ts";

/** A logger whose lines for a person are collected, at noon local time. */
function terminalLogger(color = false) {
  const lines: string[] = [];
  const noon = new Date(2026, 0, 2, 12, 4, 5).getTime();
  const logger = pino({ timestamp: () => `,"time":${noon}` }, terminalLog({ write: (text) => lines.push(text), color }));
  return { logger, lines };
}

const stream = { protocol: "grpc", method: "tokenwire.v1.TokenService/StreamTokens", model: "gpt-test", caller: "alice", tokens: 10, timeToFirstTokenMs: 3.2, durationMs: 41.7, finishReason: "stop", status: "ok" };

describe("terminalLog()", () => {
  it("should write an event as its time and message, with no label for information", () => {
    const { logger, lines } = terminalLogger();
    logger.info({ signal: "SIGINT", graceMs: 10_000 }, "shutting down");
    expect(lines).toEqual(["12:04:05  shutting down\n"]);
  });

  it("should write a stream's figures in words after its message", () => {
    const { logger, lines } = terminalLogger();
    logger.info(stream, "stream ended");
    logger.warn({ ...stream, caller: undefined, tokens: 0, finishReason: undefined, status: "unavailable", message: "the model's server could not be reached" }, "stream failed");
    expect(lines).toEqual([
      "12:04:05  stream ended: grpc tokenwire.v1.TokenService/StreamTokens, model gpt-test, caller alice, 10 tokens in 42 ms, stop\n",
      "12:04:05  warning  stream failed: grpc tokenwire.v1.TokenService/StreamTokens, model gpt-test, 0 tokens in 42 ms, unavailable: the model's server could not be reached\n",
    ]);
  });

  it("should write an error's label and its stack's frames below it, and a message of several lines as one", () => {
    const { logger, lines } = terminalLogger();
    logger.fatal({ error: { type: "Error", message: "boom", stack: "Error: boom\n    at run (src/app/main.ts:3:9)\n    at node:internal/x:1:1" } }, "the process stops on an uncaught exception: boom");
    logger.warn("node warning: TimeoutOverflowWarning: 2147483648 does not fit.\nTimeout duration was set to 1.");
    expect(lines).toEqual([
      "12:04:05  error  the process stops on an uncaught exception: boom\n    at run (src/app/main.ts:3:9)\n    at node:internal/x:1:1\n",
      "12:04:05  warning  node warning: TimeoutOverflowWarning: 2147483648 does not fit. Timeout duration was set to 1.\n",
    ]);
  });

  it("should dim the time and colour the labels on a terminal with colours", () => {
    const { logger, lines } = terminalLogger(true);
    logger.error("the connection to Redis was lost");
    expect(lines).toEqual(["\x1b[2m12:04:05\x1b[22m  \x1b[31merror\x1b[39m  the connection to Redis was lost\n"]);
  });
});
