import cluster, { type Worker } from "node:cluster";
import type { Logger } from "pino";
import { createRestartBackoff } from "./restart-backoff.ts";

/** Options of {@link superviseWorkers}. */
export interface SuperviseOptions {
  count: number;
  /** The workers' environment. */
  env: Record<string, string | undefined>;
  /** The workers' shutdown grace: one still running this long after it (plus a margin) is killed. */
  shutdownGraceMs: number;
  logger: Logger;
}

/** Workers under way: whether the first one listened, and the exit code once every worker has stopped. */
export interface Supervision {
  started: Promise<boolean>;
  exited: Promise<number>;
}

// Past the workers' grace, the time their server takes to end the last streams and close the logs.
const stopMarginMs = 15_000;

/**
 * Forks `count` workers of this program on one port: the first alone, so
 * that a setting they cannot start with is said once, by that worker, and
 * stops the start (`started` resolves false); then the rest. A worker that
 * exits is replaced after a backoff. SIGTERM or SIGINT sends every worker
 * SIGTERM, so each drains its streams as a single process does; `exited`
 * resolves 0 once all have stopped cleanly, 1 otherwise.
 */
export function superviseWorkers(options: SuperviseOptions): Supervision {
  const { count, env, logger } = options;
  const backoff = createRestartBackoff();
  const restarts = new Set<NodeJS.Timeout>();
  const listening = new Set<number>();
  const replacing = new Map<number, number>(); // new worker's id → the pid it replaces
  let stopping = false;
  let failedStop = false;
  let settleStarted: (started: boolean) => void = () => {};
  let settleExited: (code: number) => void = () => {};
  const started = new Promise<boolean>((resolve) => (settleStarted = resolve));
  const exited = new Promise<number>((resolve) => (settleExited = resolve));
  // A worker that has exited may stay listed until its channel closes.
  const live = () => Object.values(cluster.workers ?? {}).filter((worker): worker is Worker => worker !== undefined && !worker.isDead());

  cluster.on("listening", (worker, address) => {
    if (listening.has(worker.id)) return;
    listening.add(worker.id);
    const pid = worker.process.pid;
    const replaced = replacing.get(worker.id);
    if (replaced !== undefined) return logger.info({ worker: pid, replaces: replaced }, `worker ${pid} listening in place of worker ${replaced}`);
    if (listening.size === 1) {
      settleStarted(true);
      for (let i = 1; i < count; i++) cluster.fork(env);
    }
    if (listening.size === count) logger.info({ workers: count, pids: live().map((w) => w.process.pid), port: address.port }, `all ${count} workers listening on port ${address.port}`);
  });

  cluster.on("exit", (worker, code, signal) => {
    const pid = worker.process.pid;
    if (stopping) {
      // A worker stopped by the signal before it could set its handlers had no streams to drain.
      if (code !== 0 && signal !== "SIGTERM" && signal !== "SIGINT") failedStop = true;
      if (live().length === 0) finish();
      return;
    }
    if (listening.size === 0) {
      // The first worker has said why on stderr; one that died of a signal has not.
      if (signal) logger.error({ worker: pid, signal }, `worker ${pid} was killed by ${signal} before it listened`);
      settleStarted(false);
      return settleExited(code || 1);
    }
    const delay = backoff.delayAfterExit(Date.now());
    logger.error({ worker: pid, code, signal, restartInMs: delay }, `worker ${pid} exited (${signal ?? `code ${code}`}): a new one starts in ${delay} ms`);
    const timer = setTimeout(() => {
      restarts.delete(timer);
      replacing.set(cluster.fork(env).id, pid ?? 0);
    }, delay);
    restarts.add(timer);
  });

  const finish = () => {
    logger.info({ code: failedStop ? 1 : 0 }, "stopped");
    settleExited(failedStop ? 1 : 0);
  };
  const stop = (signal: string) => {
    if (stopping) return;
    stopping = true;
    for (const timer of restarts) clearTimeout(timer);
    const workers = live();
    logger.info({ signal, graceMs: options.shutdownGraceMs, workers: workers.length }, "shutting down");
    if (workers.length === 0) return finish();
    for (const worker of workers) worker.process.kill("SIGTERM");
    setTimeout(() => {
      failedStop = true;
      for (const worker of live()) worker.process.kill("SIGKILL");
    }, options.shutdownGraceMs + stopMarginMs).unref();
  };
  process.once("SIGTERM", stop);
  process.once("SIGINT", stop);
  cluster.fork(env);
  return { started, exited };
}
