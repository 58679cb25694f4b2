import { ErrorReply } from "redis";
import type { Logger } from "../core/logger.ts";
import { closeRedis, connectRedis, type RedisClient } from "../adapters/redis/redis-clients.ts";
import { defaultAnswerMs, RedisUnansweredError, type RedisHealth } from "../adapters/redis/redis-health.ts";
import { createLocalLimits, overLimit, streamsRetryMs, type Lease, type LimitStore, type Refusal } from "../server/caller-limits.ts";

/** Options of {@link createRedisLimits}. */
export interface RedisLimitsOptions {
  /** `redis://…` or `rediss://…`. */
  url: string;
  /** Put before every key; default `tokenwire:`. */
  keyPrefix?: string;
  /** Milliseconds a replica's hold on a stream lasts unless renewed: the streams of a replica that died free up within this. Default 30,000. */
  leaseMs?: number;
  /** Milliseconds Redis has to answer an admission before this replica holds the limits on its own; default 2,000. */
  answerMs?: number;
  /** Milliseconds between the PINGs that tell a Redis that stopped answering when nothing else does; default 1,000. */
  probeMs?: number;
  logger: Logger;
}

// The same rules as createLocalLimits, run in Redis as one atomic step, on Redis's clock so that replicas'
// clocks need not agree. A bucket's level refills to its cap over a minute; it lives until it would be full.
const bucketLevel = `
local function level(key, cap, now)
  local saved = redis.call('HMGET', key, 'level', 'at')
  local current = tonumber(saved[1]) or cap
  local at = tonumber(saved[2]) or now
  return math.min(cap, current + (now - at) * cap / 60000)
end
local function save(key, cap, value, now)
  redis.call('HSET', key, 'level', tostring(value), 'at', now)
  redis.call('PEXPIRE', key, math.ceil((cap - value) * 60000 / cap) + 1000)
end
local time = redis.call('TIME')
local now = tonumber(time[1]) * 1000 + math.floor(tonumber(time[2]) / 1000)
`;

// KEYS: streams, requests, tokens. ARGV: stream id, lease ms, max streams, requests a minute, tokens a minute (0: no limit).
const admitScript = `${bucketLevel}
local streams, rpm, tpm = tonumber(ARGV[3]), tonumber(ARGV[4]), tonumber(ARGV[5])
if streams > 0 then
  redis.call('ZREMRANGEBYSCORE', KEYS[1], '-inf', now)
  if redis.call('ZCARD', KEYS[1]) >= streams then return {'streams', 0} end
end
local requests = 0
if rpm > 0 then
  requests = level(KEYS[2], rpm, now)
  if requests < 1 then return {'requests', math.ceil((1 - requests) * 60000 / rpm)} end
end
if tpm > 0 then
  local tokens = level(KEYS[3], tpm, now)
  if tokens < 1 then return {'tokens', math.ceil((1 - tokens) * 60000 / tpm)} end
end
if streams > 0 then
  redis.call('ZADD', KEYS[1], now + tonumber(ARGV[2]), ARGV[1])
  redis.call('PEXPIRE', KEYS[1], tonumber(ARGV[2]))
end
if rpm > 0 then save(KEYS[2], rpm, requests - 1, now) end
return {'ok', 0}
`;

// KEYS: tokens. ARGV: tokens a minute, tokens spent.
const spendScript = `${bucketLevel}
local tpm = tonumber(ARGV[1])
save(KEYS[1], tpm, level(KEYS[1], tpm, now) - tonumber(ARGV[2]), now)
`;

// KEYS: streams. ARGV: lease ms, then the stream ids this replica holds.
const renewScript = `${bucketLevel}
for i = 2, #ARGV do redis.call('ZADD', KEYS[1], 'XX', now + tonumber(ARGV[1]), ARGV[i]) end
redis.call('PEXPIRE', KEYS[1], tonumber(ARGV[1]))
`;

/**
 * Counts callers' limits in Redis, shared by every replica that uses it.
 * Each replica renews its streams' holds, so that a replica that dies frees
 * its callers' streams within the lease. While Redis cannot be reached or
 * does not answer within `answerMs`, each replica holds the limits on its
 * own, as {@link createLocalLimits} does, rather than refuse every call, let
 * every call through, or keep calls waiting.
 */
export async function createRedisLimits(options: RedisLimitsOptions): Promise<LimitStore> {
  const { url, keyPrefix = "tokenwire:", leaseMs = 30_000, logger } = options;
  const consequence = "each replica holds callers' limits on its own until it answers again";
  const answerMs = options.answerMs ?? defaultAnswerMs;
  const { commands: redis, health } = await connectRedis({ url, logger, consequence, answerMs, probeMs: options.probeMs ?? 1000 });
  const local = createLocalLimits();
  const keys = (caller: string) => {
    // One hash tag per caller keeps its keys in one slot of a Redis Cluster.
    const base = `${keyPrefix}limits:{${caller}}`;
    return { streams: `${base}:streams`, requests: `${base}:requests`, tokens: `${base}:tokens` };
  };
  const held = new Map<string, Set<string>>(); // caller → stream ids this replica holds
  const renew = setInterval(() => {
    for (const [caller, ids] of held) {
      if (ids.size > 0) health.call(() => redis.eval(renewScript, { keys: [keys(caller).streams], arguments: [String(leaseMs), ...ids] })).catch(() => {});
    }
  }, leaseMs / 3);
  renew.unref();
  const refusals = refusalReporter(logger);
  return {
    async admit(caller, limits) {
      if (!health.answering) return local.admit(caller, limits);
      const id = crypto.randomUUID();
      const { streams, requests, tokens } = keys(caller);
      const args = [id, String(leaseMs), ...[limits.maxConcurrentStreams, limits.requestsPerMinute, limits.outputTokensPerMinute].map((n) => String(n ?? 0))];
      let reply: unknown;
      try {
        reply = await health.call(() => redis.eval(admitScript, { keys: [streams, requests, tokens], arguments: args }));
      } catch (cause) {
        // An admission Redis carries out once it answers again gives its place back at once, right after it (the
        // same connection keeps their order).
        if (cause instanceof RedisUnansweredError) redis.zRem(streams, id).catch(() => {});
        refusals.refused(cause);
        return local.admit(caller, limits);
      }
      refusals.served();
      const refused = refusalOf(reply);
      if (refused) throw overLimit(refused, limits);
      if (limits.maxConcurrentStreams === undefined) return { release() {} };
      return hold({ redis, health, held, caller, id, key: streams });
    },
    spend(caller, limits, outputTokens) {
      const tpm = limits.outputTokensPerMinute;
      if (tpm === undefined) return;
      const spent = () => redis.eval(spendScript, { keys: [keys(caller).tokens], arguments: [String(tpm), String(outputTokens)] });
      health.call(spent).catch(() => local.spend(caller, limits, outputTokens));
    },
    async close() {
      clearInterval(renew);
      health.close();
      await closeRedis([redis], answerMs);
    },
  };
}

function refusalOf(reply: unknown): Refusal | undefined {
  const [limit, retryMs] = reply as [string, number];
  if (limit === "ok") return undefined;
  return { limit: limit as Refusal["limit"], retryAfterMs: limit === "streams" ? streamsRetryMs : Number(retryMs) };
}

function hold({ redis, health, held, caller, id, key }: { redis: RedisClient; health: RedisHealth; held: Map<string, Set<string>>; caller: string; id: string; key: string }): Lease {
  const ids = held.get(caller) ?? new Set<string>();
  held.set(caller, ids.add(id));
  return {
    release() {
      if (!ids.delete(id)) return;
      if (ids.size === 0) held.delete(caller);
      // A release that Redis misses runs out with its lease.
      health.call(() => redis.zRem(key, id)).catch(() => {});
    },
  };
}

// A Redis that refuses the limits' scripts (out of memory, read-only) is said once with its own words, until it serves them again.
function refusalReporter(logger: Logger) {
  let refusing = false;
  return {
    refused(cause: unknown) {
      if (!(cause instanceof ErrorReply) || refusing) return;
      refusing = true;
      logger.warn({ redis: "refused", cause: { message: cause.message } }, `Redis refused callers' limits (${cause.message}): this replica holds them on its own meanwhile`);
    },
    served: () => (refusing = false),
  };
}
