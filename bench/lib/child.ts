import { spawn, spawnSync, type ChildProcess } from "node:child_process";
import { fileURLToPath } from "node:url";
import { createIpcPeer, type Handlers, type IpcPeer } from "./ipc.ts";

/** Whether `taskset` can pin processes here; without it every process floats over all cores. */
export const canPin = spawnSync("taskset", ["-c", "0", "true"]).status === 0;

/** Options of {@link startChild}. */
export interface ChildOptions {
  /** A file under bench/, run by this same Node binary. */
  file: string;
  args?: string[];
  /** The core to pin the process to, when `taskset` works. */
  cpu?: number;
  nodeFlags?: string[];
  /** What this end answers the child's calls with. */
  handlers?: Handlers;
}

/** A bench process that has said it is ready. */
export interface Child extends IpcPeer {
  readonly ready: { port?: number };
  stop(): Promise<void>;
}

/**
 * Starts a bench process with an IPC channel, pinned with taskset where it can
 * be, and resolves once the process calls `ready`.
 */
export function startChild(options: ChildOptions): Promise<Child> {
  const script = fileURLToPath(new URL(`../${options.file}`, import.meta.url));
  const nodeArgs = [...(options.nodeFlags ?? []), script, ...(options.args ?? [])];
  const pinned = canPin && options.cpu !== undefined;
  const command = pinned ? "taskset" : process.execPath;
  const args = pinned ? ["-c", String(options.cpu), process.execPath, ...nodeArgs] : nodeArgs;
  const child = spawn(command, args, { stdio: ["ignore", "inherit", "inherit", "ipc"] });
  return new Promise((resolve, reject) => {
    child.once("exit", (code) => reject(new Error(`${options.file} exited with ${code} before it was ready`)));
    const peer = createIpcPeer(child, {
      ...options.handlers,
      ready: (ready: { port?: number }) => resolve({ ...peer, ready, stop: () => stop(child) }),
    });
  });
}

function stop(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null) return Promise.resolve();
  return new Promise((resolve) => {
    child.removeAllListeners("exit");
    child.once("exit", () => resolve());
    child.kill("SIGTERM");
  });
}
