import { luaScript } from "./lua-script.ts";
import type { RedisSend } from "./redis-clients.ts";
import type { StreamIdKeys } from "./stream-keys.ts";

// One command, so that two replicas creating under one id cannot both win. A taken id stays taken while its
// stream generates (its heartbeat is alive and it has not ended) or when another owner has it; otherwise the
// new stream is the next generation, with fresh metadata and a log of its own. The old log is left to its
// expiry: a reader still paging through it reads it to its end.
const createScript = luaScript(`
local owner = redis.call('HGET', KEYS[1], 'owner')
local generation = tonumber(redis.call('HGET', KEYS[1], 'generation') or '0') + 1
if owner then
  local generating = redis.call('HGET', KEYS[1], 'ended') ~= '1' and redis.call('EXISTS', KEYS[2]) == 1
  if owner ~= ARGV[1] or generating then return 0 end
  redis.call('DEL', KEYS[1], KEYS[2])
end
redis.call('HSET', KEYS[1], 'owner', ARGV[1], 'generation', generation)
redis.call('PEXPIRE', KEYS[1], ARGV[2])
redis.call('SET', KEYS[2], generation, 'PX', ARGV[3])
return generation
`);

/** What {@link createStreamKeys} sets. @internal */
export interface CreateStreamKeys {
  keys: StreamIdKeys;
  /** The owner as the metadata holds it (JSON), compared as is with an old stream's. */
  ownerJson: string;
  retentionMs: number;
  /** Milliseconds the first heartbeat lives. */
  aliveMs: number;
}

/**
 * Creates a stream's metadata and heartbeat, replacing an ended stream of the
 * same owner; resolves with its generation, or undefined when the id is taken.
 * @internal
 */
export async function createStreamKeys(send: RedisSend, { keys, ownerJson, retentionMs, aliveMs }: CreateStreamKeys): Promise<string | undefined> {
  const generation = Number(await createScript(send, [keys.meta, keys.alive], [ownerJson, String(retentionMs), String(aliveMs)]));
  return generation > 0 ? String(generation) : undefined;
}
