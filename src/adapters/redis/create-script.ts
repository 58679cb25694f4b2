import { luaScript } from "./lua-script.ts";
import type { RedisClient } from "./redis-clients.ts";
import type { StreamKeys } from "./stream-keys.ts";

// One command, so that two replicas creating under one id cannot both win. A taken id stays taken while its
// stream generates (its heartbeat is alive and it has not ended) or when another owner has it; otherwise the
// old stream's keys go before the new one's metadata and heartbeat are set, and the new log starts empty.
const createScript = luaScript(`
local owner = redis.call('HGET', KEYS[1], 'owner')
if owner then
  local generating = redis.call('HGET', KEYS[1], 'ended') ~= '1' and redis.call('EXISTS', KEYS[3]) == 1
  if owner ~= ARGV[1] or generating then return 0 end
  redis.call('DEL', KEYS[1], KEYS[2], KEYS[3])
end
redis.call('HSET', KEYS[1], 'owner', ARGV[1])
redis.call('PEXPIRE', KEYS[1], ARGV[2])
redis.call('SET', KEYS[3], '1', 'PX', ARGV[3])
return 1
`);

/** What {@link createStreamKeys} sets. @internal */
export interface CreateStreamKeys {
  keys: StreamKeys;
  /** The owner as the metadata holds it (JSON), compared as is with an old stream's. */
  ownerJson: string;
  retentionMs: number;
  /** Milliseconds the first heartbeat lives. */
  aliveMs: number;
}

/** Creates a stream's metadata and heartbeat, replacing an ended stream of the same owner; false when the id is taken. @internal */
export async function createStreamKeys(redis: RedisClient, { keys, ownerJson, retentionMs, aliveMs }: CreateStreamKeys): Promise<boolean> {
  const created = await createScript(redis, [keys.meta, keys.events, keys.alive], [ownerJson, String(retentionMs), String(aliveMs)]);
  return created === 1;
}
