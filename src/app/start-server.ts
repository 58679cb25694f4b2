import cluster from "node:cluster";
import { checkSettingNames } from "../config/check-setting-names.ts";
import { ConfigError } from "../config/config-error.ts";
import { workerMark, workersFromEnv } from "../config/workers-config.ts";
import { serve } from "./serve.ts";
import { servePrimary } from "./serve-primary.ts";
import { serveWorker } from "./serve-worker.ts";

/**
 * Runs {@link serve}, or with `TOKENWIRE_WORKERS` above 1 a primary that
 * runs it in that many workers; resolves true once it listens. A variable
 * that looks like a setting and is none (a misspelt one), or a setting it
 * cannot start with, is said on stderr in one line, without a stack trace, and
 * resolves false. Anything else is a fault, and is thrown with its stack trace.
 */
export async function startServer(env: Record<string, string | undefined> = process.env): Promise<boolean> {
  try {
    checkSettingNames(env);
    if (cluster.isWorker && env[workerMark] === "1") return Boolean(await serveWorker(env));
    const workers = workersFromEnv(env);
    if (workers === 1) return Boolean(await serve(env));
    if (cluster.isWorker) throw new ConfigError(`TOKENWIRE_WORKERS=${workers} cannot fork workers inside another cluster's worker (pm2's cluster mode): set TOKENWIRE_WORKERS=1 and let that cluster run the processes`);
    const supervision = servePrimary(env, workers);
    void supervision.exited.then((code) => process.exit(code));
    return await supervision.started;
  } catch (error) {
    if (!(error instanceof ConfigError)) throw error;
    process.stderr.write(`tokenwire: cannot start: ${error.message}\n`);
    return false;
  }
}
