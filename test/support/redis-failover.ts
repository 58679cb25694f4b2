import { expect, vi } from "vitest";
import type { StreamLog, TokenEvent, TokenwireError } from "../../src/index.ts";
import { onServer, type RedisServer } from "../fixtures/redis-server.ts";

/** What `INFO replication` says of a server: its role, and whether its link to its master is up. */
export const replicationOf = (server: RedisServer): Promise<string> => onServer(server, (client) => client.info("replication"));

/** Resolves once the server says it is a master: its replica has taken over. */
export async function untilMaster(server: RedisServer): Promise<void> {
  await vi.waitFor(async () => expect(await replicationOf(server)).toContain("role:master"), { timeout: 30_000, interval: 100 });
}

/**
 * Makes a replica lag, once it has everything its master has so far (`WAIT`):
 * `CLIENT PAUSE … ALL` stops it applying what its master sends next, and what
 * it has not applied when the master dies is gone with it, as with a replica
 * that asynchronous replication left behind.
 */
export async function lagReplica({ master, replica, ms }: { master: RedisServer; replica: RedisServer; ms: number }): Promise<void> {
  expect(await onServer(master, (client) => client.sendCommand(["WAIT", "1", "10000"]))).toBe(1);
  await onServer(replica, (client) => client.sendCommand(["CLIENT", "PAUSE", String(ms), "ALL"]));
}

interface Followed {
  events: TokenEvent[];
  /** Resolves with the error the read ended with, or undefined for a clean end. */
  done: Promise<TokenwireError | undefined>;
}

function follow(events: AsyncIterable<TokenEvent>): Followed {
  const seen: TokenEvent[] = [];
  const done = (async () => {
    for await (const event of events) seen.push(event);
  })().then(
    () => undefined,
    (error: unknown) => error as TokenwireError,
  );
  return { events: seen, done };
}

const delta = (id: string, seq: number): TokenEvent => ({ type: "delta", seq, text: `${id}:${seq} ` });

/** What {@link streamThroughFailover} does to the streams. */
export interface FailoverScenario {
  /** The replica that writes, and the one whose readers follow and resume. */
  writerLog: StreamLog;
  readerLog: StreamLog;
  ids: string[];
  /** Events of each stream after `started`: a third before the lag, a third before the kill, a third after. */
  deltas: number;
  /** Makes the replica that will take over lag behind its master. */
  lag(): Promise<void>;
  /** Kills the master (SIGKILL), and resolves once its replica has taken over. */
  kill(): Promise<void>;
}

/**
 * Writes `ids.length` streams on one replica while the other follows each
 * live; in the middle, the master's replica is made to lag, the master
 * acknowledges a third of each stream that the replica never gets, and is
 * killed; the last third is written through the failover. Checks that every
 * live reader read every event once, in order, and ended cleanly, and that a
 * resume after the failover reads exactly the rest.
 */
export async function streamThroughFailover({ writerLog, readerLog, ids, deltas, lag, kill }: FailoverScenario): Promise<void> {
  const started = (id: string): TokenEvent => ({ type: "started", seq: 0, runId: id, model: "m" });
  const streams = await Promise.all(
    ids.map(async (id) => {
      const writer = await writerLog.create(id, { graceMs: 60_000 });
      await writer.write(started(id));
      return { id, writer, live: follow(readerLog.read(id, { afterSeq: -1 })) };
    }),
  );
  const writtenUpTo = new Map<string, number>();
  const write = async (last: number) => {
    for (const { id, writer } of streams) {
      for (let seq = (writtenUpTo.get(id) ?? 0) + 1; seq <= last; seq++) await writer.write(delta(id, seq));
      writtenUpTo.set(id, last);
    }
  };
  const heardUpTo = (count: number) => vi.waitFor(() => streams.forEach(({ live }) => expect(live.events.length).toBeGreaterThanOrEqual(count)), { timeout: 20_000 });
  const third = Math.floor(deltas / 3);
  await write(third);
  await heardUpTo(third + 1);
  await lag();
  // Heard live from the master: acknowledged, and never to reach the replica.
  await write(2 * third);
  await heardUpTo(2 * third + 1);
  await kill();
  await write(deltas);
  for (const { writer } of streams) writer.close();
  const expected = (id: string, after: number) => [started(id), ...Array.from({ length: deltas }, (_, i) => delta(id, i + 1))].filter((event) => event.seq > after);
  for (const { id, live } of streams) {
    expect(await live.done).toBeUndefined();
    expect(live.events).toEqual(expected(id, -1));
  }
  for (const { id } of streams) {
    const resumed = follow(readerLog.read(id, { afterSeq: third }));
    expect(await resumed.done).toBeUndefined();
    expect(resumed.events).toEqual(expected(id, third));
  }
}

/**
 * Writes `ids.length` streams whole while the other replica follows each
 * live; once a third of each is on the master's replica, the replica is made
 * to lag, the rest and the streams' ends are written, heard live from the
 * master and acknowledged, and the master is killed: its replica takes over
 * without the ends, and no writer is left writing. Checks that a read from
 * the start after the failover reads every stream whole, and its end.
 */
export async function endThroughFailover({ writerLog, readerLog, ids, deltas, lag, kill }: FailoverScenario): Promise<void> {
  const started = (id: string): TokenEvent => ({ type: "started", seq: 0, runId: id, model: "m" });
  const whole = (id: string) => [started(id), ...Array.from({ length: deltas }, (_, i) => delta(id, i + 1))];
  const streams = await Promise.all(
    ids.map(async (id) => ({ id, writer: await writerLog.create(id, { graceMs: 60_000 }), live: follow(readerLog.read(id, { afterSeq: -1 })) })),
  );
  const third = Math.floor(deltas / 3);
  for (const { id, writer } of streams) for (const event of whole(id).slice(0, third + 1)) await writer.write(event);
  await vi.waitFor(() => streams.forEach(({ live }) => expect(live.events.length).toBeGreaterThan(third)), { timeout: 20_000 });
  await lag();
  for (const { id, writer } of streams) {
    for (const event of whole(id).slice(third + 1)) await writer.write(event);
    writer.close();
  }
  for (const { id, live } of streams) {
    expect(await live.done).toBeUndefined();
    expect(live.events).toEqual(whole(id));
  }
  await kill();
  // Read at once: a read begun while the client still looks for the new master waits for it.
  for (const { id } of streams) {
    const again = follow(readerLog.read(id, { afterSeq: -1 }));
    expect(await again.done).toBeUndefined();
    expect(again.events).toEqual(whole(id));
  }
}
