import { afterAll, afterEach, beforeAll } from "vitest";
import OpenAI from "openai";
import { createRedisStreamLog } from "../../../src/adapters/redis/index.ts";
import type { StreamLog } from "../../../src/index.ts";
import { startRedisServer, type RedisServer } from "../../fixtures/redis-server.ts";
import { startTokenwireServer, type TestServer } from "../../support/tokenwire-test-server.ts";
import { skipWithout } from "../../support/test-tiers.ts";

/** Where kept responses live: its name, and how to make the log two replicas share (none: one server's memory). */
export type ResponseLogRow = [string, ((redis: RedisServer) => Promise<StreamLog>) | undefined];

const redisLog: ResponseLogRow = ["two replicas sharing Redis", (redis) => createRedisStreamLog({ url: redis.url, heartbeatMs: 100 })];

/** One server's memory, and Redis shared by two replicas where there is a redis-server. */
export const responseLogs: ResponseLogRow[] = [["one server's memory", undefined], ...(skipWithout("redis") ? [] : [redisLog])];

/** The servers of one row: `a` where responses are made, `b` where they are read (the same server in memory). */
export interface ResponseReplicas {
  a: TestServer;
  b: TestServer;
  /** The openai client of a caller, who names itself by its bearer token. */
  client(server: TestServer, caller?: string): OpenAI;
}

/**
 * Starts a row's servers before a file's tests (its redis-server too), checks
 * after each test that no stream leaked, and stops them all at the end. A
 * response is its caller's alone: each server names callers by their token.
 */
export function useResponseReplicas(createLog: ResponseLogRow[1], models: string[]): ResponseReplicas {
  let redis: RedisServer | undefined;
  const streamLogs: StreamLog[] = [];
  const start = async () => {
    const log = createLog ? await createLog(redis!) : undefined;
    if (log) streamLogs.push(log);
    return startTokenwireServer({
      allowedModels: models,
      streams: { log, graceMs: 5000 },
      authenticate: (headers) => headers.get("authorization")?.slice("Bearer ".length),
    });
  };
  const replicas = {
    client: (server: TestServer, caller = "alice") => new OpenAI({ apiKey: caller, baseURL: `${server.baseUrl}/v1`, maxRetries: 0 }),
  } as ResponseReplicas;
  beforeAll(async () => {
    if (createLog) redis = await startRedisServer();
    replicas.a = await start();
    replicas.b = createLog ? await start() : replicas.a;
  });
  afterEach(() => Promise.all([replicas.a.settled(), replicas.b.settled()]));
  afterAll(async () => {
    await Promise.all([...new Set([replicas.a, replicas.b])].map((server) => server?.close()));
    await Promise.all(streamLogs.map((log) => log.close()));
    await redis?.stop();
  });
  return replicas;
}
