import { startChild, type Child } from "./child.ts";
import type { Handlers, IpcPeer } from "./ipc.ts";
import type { Contender } from "../contenders.ts";

/** Options of {@link driveContender}. */
export interface DriveOptions {
  upstreamUrl: string;
  /** The cores the server and the load generator are pinned to. */
  cpus: { server: number; load: number };
  /** Node flags of the server process, beyond `--expose-gc`. */
  nodeFlags?: string[];
  /** What the harness answers the server's and the load generator's calls with. */
  handlers?: Handlers;
}

/**
 * Starts a contender's server process and, when the contender has a client,
 * a load generator against it; hands `drive` the process that opens the
 * streams (the server itself for a floor, run in process), and stops both.
 */
export async function driveContender<T>(contender: Contender, options: DriveOptions, drive: (driver: IpcPeer) => Promise<T>): Promise<T> {
  const server = await startChild({
    file: "server.ts",
    args: [contender.server, options.upstreamUrl, ...(contender.root ? [contender.root] : [])],
    cpu: options.cpus.server,
    nodeFlags: ["--expose-gc", ...(options.nodeFlags ?? [])],
    handlers: options.handlers,
  });
  let load: Child | undefined;
  try {
    if (!contender.client) return await drive(server);
    load = await startChild({
      file: "load.ts",
      args: [contender.client, `http://127.0.0.1:${server.ready.port}`],
      cpu: options.cpus.load,
      handlers: { ...options.handlers, serverStats: (gc: boolean) => server.call("serverStats", gc) },
    });
    return await drive(load);
  } finally {
    await load?.stop();
    await server.stop();
  }
}
