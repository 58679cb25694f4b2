/** Opens one stream of a contender and yields its text as the client receives it. */
export type OpenStream = (model: string, signal: AbortSignal) => AsyncIterable<string>;

/** The server process's own figures, taken inside it. */
export interface ServerStats {
  /** User plus system CPU time since the process started, in µs. */
  cpuUs: number;
  rss: number;
  heapUsed: number;
}

/** What the scenarios drive: a contender's client, and the probes into the other processes. */
export interface Harness {
  open: OpenStream;
  /** The server's figures, after a full garbage collection when `gc`. */
  serverStats(gc: boolean): Promise<ServerStats>;
  /** When the upstream saw the request tagged `tag` closed before it ended; undefined if it did not within a while. */
  upstreamClosedAt(tag: string): Promise<number | undefined>;
}

/** Reads this process's figures; the bench servers and the floor answer `serverStats` with it. */
export function ownStats(gc: boolean): ServerStats {
  if (gc) (globalThis as { gc?: () => void }).gc?.();
  const { user, system } = process.cpuUsage();
  const { rss, heapUsed } = process.memoryUsage();
  return { cpuUs: user + system, rss, heapUsed };
}
