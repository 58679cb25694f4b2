import { luaScript } from "./lua-script.ts";
import type { RedisSend } from "./redis-clients.ts";
import type { StreamKeys } from "./stream-keys.ts";

// One command, so that nothing comes between the check and the delete: the metadata must still be the generation's
// that was read (else a new stream took the id meanwhile, and it is read again), and the stream must have ended or
// lost its producer. Every key is under the id's hash tag, so the script runs on one shard of a cluster. An older
// generation's log, which a reader may still page through, is left to its expiry: no new reader can find it.
const deleteScript = luaScript(`
if redis.call('HGET', KEYS[1], 'generation') ~= ARGV[1] then return -1 end
if redis.call('HGET', KEYS[1], 'ended') ~= '1' and redis.call('GET', KEYS[2]) == ARGV[1] then return 0 end
redis.call('UNLINK', KEYS[1], KEYS[2], KEYS[3])
return 1
`);

/**
 * Deletes a stream's metadata, heartbeat and log, if it has ended:
 * `deleted`, `generating` (left as it is), or `replaced` when the id's
 * metadata is no longer this generation's.
 * @internal
 */
export async function deleteStreamKeys(send: RedisSend, keys: StreamKeys): Promise<"deleted" | "generating" | "replaced"> {
  const outcome = Number(await deleteScript(send, [keys.meta, keys.alive, keys.events], [keys.generation]));
  return outcome === 1 ? "deleted" : outcome === 0 ? "generating" : "replaced";
}
