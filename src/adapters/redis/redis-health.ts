import { ErrorReply } from "redis";
import type { Logger } from "../../core/logger.ts";

/** Milliseconds Redis has to answer a command unless told otherwise. @internal */
export const defaultAnswerMs = 2000;

/** How {@link watchRedisHealth} judges a connection. @internal */
export interface RedisHealthOptions {
  logger: Logger;
  /** What trouble means to the connection's users, said in the line that reports it. */
  consequence: string;
  /** Milliseconds a command may go unanswered before Redis is taken to have stopped answering. */
  answerMs: number;
  /** Milliseconds between the PINGs that ask whether Redis still answers when nothing else does. */
  probeMs: number;
}

/** A command Redis did not answer within the bound, or one not sent because Redis was not answering. @internal */
export class RedisUnansweredError extends Error {
  override name = "RedisUnansweredError";
  readonly ms: number;

  constructor(ms: number) {
    super(`Redis did not answer within ${ms} ms`);
    this.ms = ms;
  }
}

/** Whether Redis answers, as the answers to commands tell it. @internal */
export interface RedisHealth {
  /**
   * Sends a command and resolves with its answer; rejects with
   * {@link RedisUnansweredError} when none came within the bound, or at once,
   * without sending it, while Redis is known not to answer.
   */
  call<T>(send: () => Promise<T>): Promise<T>;
  /** True while the connection is up and Redis answers. */
  readonly answering: boolean;
  /** When Redis last stopped answering, answered late or lost its connection; -Infinity when never. */
  readonly troubledAt: number;
  /** Calls `listener` each time Redis stops answering or the connection is lost; returns what removes it. */
  onTrouble(listener: (cause: Error) => void): () => void;
  /** Calls `listener` each time Redis answers again after trouble; returns what removes it. */
  onAnswering(listener: () => void): () => void;
  close(): void;
}

/** What the connections' own events tell {@link watchRedisHealth}. @internal */
export interface RedisHealthEvents {
  /** A connection was lost: its commands fail at once until it is back. */
  lost(cause: Error): void;
  /** Every connection is back. */
  ready(): void;
}

interface Pending {
  since: number;
  /** Unset for a probe, which is left to be answered rather than failed. */
  reject?: (cause: Error) => void;
}

/**
 * Judges a connection by its answers rather than by its socket: a Redis
 * paused or asleep keeps the connection open and answers nothing, and
 * node-redis's own command timeout stops counting once a command is written.
 * Commands go through {@link RedisHealth.call}; the oldest one unanswered for
 * `answerMs` (a PING every `probeMs` when nothing else asks) means Redis has
 * stopped answering: everything waiting fails, nothing more is sent until an
 * answer comes back, and each change is logged once. `ping` asks Redis
 * whether it answers; the connections' events tell losses and returns.
 * @internal
 */
export function watchRedisHealth(ping: () => Promise<unknown>, options: RedisHealthOptions): RedisHealth & RedisHealthEvents {
  const { logger, consequence, answerMs, probeMs } = options;
  let state: "answering" | "silent" | "lost" = "answering";
  let troubledAt = -Infinity;
  let nextId = 0;
  // In the order sent: the first is the oldest unanswered.
  const pending = new Map<number, Pending>();
  const troubleListeners = new Set<(cause: Error) => void>();
  const answeringListeners = new Set<() => void>();
  let probing = false;
  let probedAt = Date.now();

  const trouble = (next: "silent" | "lost", cause: Error): void => {
    const was = state;
    [state, troubledAt] = [next, Date.now()];
    if (was === "answering") {
      const fields = next === "silent" ? { redis: "unanswered", answerMs } : { redis: "lost", cause: { name: cause.name, message: cause.message } };
      logger.warn(fields, `${next === "silent" ? `Redis has not answered for ${answerMs} ms` : "the connection to Redis was lost"}: ${consequence}`);
    }
    for (const listener of troubleListeners) listener(cause);
  };
  // The command whose missing answer silenced Redis: only its answer says Redis is back, as on a cluster another
  // node's answer says nothing of the node that keeps it waiting.
  let culprit: number | undefined;
  const answered = (id: number, since: number): void => {
    const now = Date.now();
    // A late answer is trouble too: a heartbeat may have lapsed meanwhile.
    if (now - since >= probeMs) troubledAt = now;
    if (state !== "silent" || id !== culprit) return;
    state = "answering";
    logger.info({ redis: "answering" }, "Redis answers again");
    for (const listener of answeringListeners) listener();
  };
  const silence = (): void => {
    culprit = pending.keys().next().value;
    const cause = new RedisUnansweredError(answerMs);
    for (const [id, command] of pending) if (command.reject) (pending.delete(id), command.reject(cause));
    trouble("silent", cause);
  };
  const track = <T>(sent: Promise<T>, reject?: (cause: Error) => void): Promise<T> => {
    const id = nextId++;
    const since = Date.now();
    pending.set(id, { since, reject });
    return sent.then(
      (value) => (pending.delete(id), answered(id, since), value),
      (error: unknown) => {
        pending.delete(id);
        // An error reply is an answer; a failed connection is the client's to report.
        if (error instanceof ErrorReply) answered(id, since);
        throw error;
      },
    );
  };
  const probe = (): void => {
    [probing, probedAt] = [true, Date.now()];
    track(ping())
      .catch(() => {})
      .finally(() => (probing = false));
  };
  const overdue = (): boolean => {
    const oldest = pending.values().next().value;
    return state === "answering" && oldest !== undefined && Date.now() - oldest.since >= answerMs;
  };
  const tick = setInterval(
    () => {
      // Timers run before the sockets are read: after this process was busy, an answer may be waiting unread, so
      // the overdue command is judged again once they have been.
      if (overdue()) setImmediate(() => overdue() && silence());
      if (state !== "lost" && !probing && Date.now() - probedAt >= probeMs) probe();
    },
    Math.max(5, Math.min(answerMs, probeMs) / 4),
  );
  tick.unref();

  const listen = <L>(listeners: Set<L>, listener: L) => (listeners.add(listener), () => void listeners.delete(listener));
  return {
    get answering() {
      return state === "answering";
    },
    get troubledAt() {
      return troubledAt;
    },
    call(send) {
      if (state === "silent") return Promise.reject(new RedisUnansweredError(answerMs));
      // Settled by the answer, or by the silence that comes first.
      return new Promise((resolve, reject) => void track(send(), reject).then(resolve, reject));
    },
    onTrouble: (listener) => listen(troubleListeners, listener),
    onAnswering: (listener) => listen(answeringListeners, listener),
    close: () => clearInterval(tick),
    // Every failed retry is a loss too: only the first after answers is news.
    lost: (cause) => void (state !== "lost" && trouble("lost", cause)),
    ready() {
      if (state !== "lost") return;
      state = "answering";
      // What was sent while the connection was lost (waiting for Sentinel's new master) is judged from now on.
      const now = Date.now();
      for (const command of pending.values()) command.since = now;
      logger.info({ redis: "answering" }, "the connection to Redis is back");
      for (const listener of answeringListeners) listener();
    },
  };
}
