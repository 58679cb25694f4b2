import { createClient } from "redis";
import type { Logger } from "../../src/index.ts";
import type { RedisServer } from "../fixtures/redis-server.ts";

/** The milliseconds Redis has to answer in these tests: small, so that a stall is told quickly. */
export const answerMs = 300;

/** What a test waits for anything bounded by {@link answerMs}: generous, so that a busy machine does not fail it. */
export const boundMs = 8 * answerMs;

/** A Redis that stops answering with its connections open, until {@link Stall.end}. */
export interface Stall {
  /** Lets Redis answer again, and resolves once it does. */
  end(): Promise<void>;
}

/** The two ways a Redis stops answering: frozen by a signal, and asleep in a command of its own. */
export const stalls: [string, (server: RedisServer) => Promise<Stall>][] = [
  ["paused by SIGSTOP", pauseBySignal],
  ["asleep in DEBUG SLEEP", sleepInDebug],
];

async function pauseBySignal(server: RedisServer): Promise<Stall> {
  server.pause();
  return { end: async () => server.resume() };
}

// Twice the bound: whatever waits on Redis must have given up long before it wakes.
async function sleepInDebug(server: RedisServer): Promise<Stall> {
  const client = createClient({ url: server.url });
  await client.connect();
  const sleeping = client.sendCommand(["DEBUG", "SLEEP", String((2 * boundMs) / 1000)]);
  // The command is on its way before the test goes on.
  await new Promise((resolve) => setTimeout(resolve, 50));
  return { end: () => sleeping.then(() => client.destroy()) };
}

/** The promise's outcome, or a rejection that says it had not settled within `ms`: a bound, not a measure. */
export function settlesWithin<T>(promise: Promise<T>, ms = boundMs): Promise<T> {
  let timer: ReturnType<typeof setTimeout> | undefined;
  const late = new Promise<never>((_, reject) => (timer = setTimeout(() => reject(new Error(`still waiting after ${ms} ms`)), ms)));
  return Promise.race([promise, late]).finally(() => clearTimeout(timer));
}

/** A logger that keeps every line, its fields and its message as `msg`. */
export function recordingLogger(): Logger & { lines: Record<string, unknown>[] } {
  const lines: Record<string, unknown>[] = [];
  const record = (level: string) => (fields: object, msg?: string) => void lines.push({ level, ...fields, msg });
  return { lines, info: record("info"), warn: record("warn"), error: record("error") };
}
