import { ErrorReply } from "redis";
import type { Logger } from "../core/logger.ts";
import { luaScript } from "../adapters/redis/lua-script.ts";
import { connectRedis, targetOf, type RedisLocation, type RedisSend } from "../adapters/redis/redis-clients.ts";
import { defaultAnswerMs, RedisUnansweredError, type RedisHealth } from "../adapters/redis/redis-health.ts";
import { createLocalLimits, overLimit, streamsRetryMs, type Lease, type LimitStore, type Refusal } from "../server/caller-limits.ts";

/** Options of {@link createRedisLimits}. */
export interface RedisLimitsOptions extends RedisLocation {
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
// clocks need not agree. A bucket's level refills to its cap over a minute; it lives until it would be full,
// and at least as long as a lease on it.
const bucketLevel = `
local function level(key, cap, now)
  local saved = redis.call('HMGET', key, 'level', 'at')
  local current = tonumber(saved[1]) or cap
  local at = tonumber(saved[2]) or now
  return math.min(cap, current + (now - at) * cap / 60000)
end
local function save(key, cap, value, now, lease)
  redis.call('HSET', key, 'level', tostring(value), 'at', now)
  redis.call('PEXPIRE', key, math.max(math.ceil((cap - value) * 60000 / cap) + 1000, lease or 0))
end
local time = redis.call('TIME')
local now = tonumber(time[1]) * 1000 + math.floor(tonumber(time[2]) / 1000)
`;

// KEYS: streams, requests, tokens, all of one caller (one slot). ARGV: lease id, lease ms, max streams, requests a
// minute, tokens a minute (0: no limit), tokens to reserve (-1: any number). The reply: the limit refused and when
// to retry (-1: when a stream ends), or 'ok' and the tokens reserved, as a string (Lua numbers come back whole).
const admitScript = luaScript(`${bucketLevel}
local lease, streams, rpm, tpm, wanted = tonumber(ARGV[2]), tonumber(ARGV[3]), tonumber(ARGV[4]), tonumber(ARGV[5]), tonumber(ARGV[6])
if streams > 0 then
  redis.call('ZREMRANGEBYSCORE', KEYS[1], '-inf', now)
  if redis.call('ZCARD', KEYS[1]) >= streams then return {'streams', -1} end
end
local requests = 0
if rpm > 0 then
  requests = level(KEYS[2], rpm, now)
  if requests < 1 then return {'requests', math.ceil((1 - requests) * 60000 / rpm)} end
end
local tokens, reserve, short = 0, 0, false
if tpm > 0 then
  tokens = level(KEYS[3], tpm, now)
  local holder = redis.call('HMGET', KEYS[3], 'short', 'shortUntil')
  local shortHeld = holder[1] and tonumber(holder[2]) > now
  if wanted >= 0 and tokens >= wanted then reserve = wanted
  elseif tokens >= 1 and not shortHeld then reserve, short = tokens, true
  elseif tokens < 1 then return {'tokens', math.ceil((1 - tokens) * 60000 / tpm)}
  else return {'tokens', -1} end
end
if streams > 0 then
  redis.call('ZADD', KEYS[1], now + lease, ARGV[1])
  redis.call('PEXPIRE', KEYS[1], lease)
end
if rpm > 0 then save(KEYS[2], rpm, requests - 1, now) end
if tpm > 0 then
  if short then redis.call('HSET', KEYS[3], 'short', ARGV[1], 'shortUntil', now + lease) end
  save(KEYS[3], tpm, tokens - reserve, now, short and lease)
end
return {'ok', tostring(reserve)}
`);

// KEYS: streams, tokens. ARGV: lease id, tokens a minute (0: leave the bucket be), tokens reserved, tokens spent.
// The debt a stream leaves is at most a minute's allowance.
const releaseScript = luaScript(`${bucketLevel}
redis.call('ZREM', KEYS[1], ARGV[1])
if redis.call('HGET', KEYS[2], 'short') == ARGV[1] then redis.call('HDEL', KEYS[2], 'short', 'shortUntil') end
local tpm = tonumber(ARGV[2])
if tpm > 0 then
  local value = level(KEYS[2], tpm, now) + tonumber(ARGV[3]) - tonumber(ARGV[4])
  save(KEYS[2], tpm, math.max(-tpm, math.min(tpm, value)), now)
end
`);

// KEYS: streams, tokens. ARGV: lease ms, then the lease ids this replica holds.
const renewScript = luaScript(`${bucketLevel}
local lease = tonumber(ARGV[1])
local short = redis.call('HGET', KEYS[2], 'short')
for i = 2, #ARGV do
  redis.call('ZADD', KEYS[1], 'XX', now + lease, ARGV[i])
  if ARGV[i] == short then
    redis.call('HSET', KEYS[2], 'shortUntil', now + lease)
    redis.call('PEXPIRE', KEYS[2], math.max(redis.call('PTTL', KEYS[2]), lease))
  end
end
redis.call('PEXPIRE', KEYS[1], lease)
`);

/**
 * Counts callers' limits in Redis, shared by every replica that uses it.
 * Each replica renews its streams' holds, so that a replica that dies frees
 * its callers' streams within the lease. While Redis cannot be reached or
 * does not answer within `answerMs`, each replica holds the limits on its
 * own, as {@link createLocalLimits} does, rather than refuse every call, let
 * every call through, or keep calls waiting.
 */
export async function createRedisLimits(options: RedisLimitsOptions): Promise<LimitStore> {
  const { keyPrefix = "tokenwire:", leaseMs = 30_000, logger } = options;
  const consequence = "each replica holds callers' limits on its own until it answers again";
  const answerMs = options.answerMs ?? defaultAnswerMs;
  const { send, health, close } = await connectRedis({ target: targetOf(options), logger, consequence, answerMs, probeMs: options.probeMs ?? 1000 });
  const local = createLocalLimits();
  const keys = (caller: string) => {
    // One hash tag per caller keeps its keys in one slot of a Redis Cluster.
    const base = `${keyPrefix}limits:{${caller}}`;
    return { streams: `${base}:streams`, requests: `${base}:requests`, tokens: `${base}:tokens` };
  };
  const held = new Map<string, Set<string>>(); // caller → lease ids this replica holds
  const renew = setInterval(() => {
    for (const [caller, ids] of held) {
      const { streams, tokens } = keys(caller);
      health.call(() => renewScript(send, [streams, tokens], [String(leaseMs), ...ids])).catch(() => {});
    }
  }, leaseMs / 3);
  renew.unref();
  const refusals = refusalReporter(logger);
  return {
    async admit(caller, limits, admitOptions = {}) {
      if (!health.answering) return local.admit(caller, limits, admitOptions);
      const id = crypto.randomUUID();
      const { maxConcurrentStreams, requestsPerMinute, outputTokensPerMinute: tpm, reserveTokens = -1 } = { ...limits, ...admitOptions };
      const args = [id, String(leaseMs), ...[maxConcurrentStreams, requestsPerMinute, tpm].map((n) => String(n ?? 0)), String(reserveTokens)];
      const { streams, requests, tokens } = keys(caller);
      let reply: unknown;
      try {
        reply = await health.call(() => admitScript(send, [streams, requests, tokens], args));
      } catch (cause) {
        // An admission Redis carries out once it answers again gives its place back at once, right after it (the
        // same connection keeps their order); what it reserved stays spent.
        if (cause instanceof RedisUnansweredError) releaseScript(send, [streams, tokens], [id, "0", "0", "0"]).catch(() => {});
        refusals.refused(cause);
        return local.admit(caller, limits, admitOptions);
      }
      refusals.served();
      const [limit, value] = reply as [string, number | string];
      if (limit !== "ok") throw overLimit(refusalOf(limit, Number(value)), limits);
      if (maxConcurrentStreams === undefined && tpm === undefined) return { release() {} };
      return hold({ send, health, held, caller, id, keys: keys(caller), tpm, reserved: Number(value) });
    },
    async close() {
      clearInterval(renew);
      await close(answerMs);
    },
  };
}

function refusalOf(limit: string, retryMs: number): Refusal {
  return { limit: limit as Refusal["limit"], retryAfterMs: retryMs < 0 ? streamsRetryMs : retryMs };
}

interface Held {
  send: RedisSend;
  health: RedisHealth;
  held: Map<string, Set<string>>;
  caller: string;
  id: string;
  keys: { streams: string; tokens: string };
  tpm: number | undefined;
  reserved: number;
}

function hold({ send, health, held, caller, id, keys: { streams, tokens }, tpm, reserved }: Held): Lease {
  const ids = held.get(caller) ?? new Set<string>();
  held.set(caller, ids.add(id));
  return {
    release(spentTokens = 0) {
      if (!ids.delete(id)) return;
      if (ids.size === 0) held.delete(caller);
      // A release that Redis misses runs out with its lease; its reservation stays spent.
      const args = [id, String(tpm ?? 0), String(reserved), String(spentTokens)];
      health.call(() => releaseScript(send, [streams, tokens], args)).catch(() => {});
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
