import { luaScript } from "./lua-script.ts";
import type { RedisSend } from "./redis-clients.ts";
import type { StreamKeys } from "./stream-keys.ts";

// One command per batch, whatever its size: the batch's XADDs and its announcement on the stream's channel,
// and after the end marker, the stream's end (its metadata says ended, its heartbeat goes, its keys expire
// after the retention), in this order: a reader that finds no heartbeat finds the end marker. With many
// streams each writing a token at a time, this halves the commands, and node-redis spends about as much
// per command as Redis does (BENCHMARKS.md). A failed XADD (an id at or below the last: another writer)
// fails the script, and nothing after it is announced. On a cluster the channel is sharded: it lives on the
// slot of the stream's keys, and the script announces there.
const appendScript = luaScript(`
local jsons = {}
local create = string.find(ARGV[2], 'c', 1, true)
local publish = string.find(ARGV[2], 's', 1, true) and 'SPUBLISH' or 'PUBLISH'
for i = 4, #ARGV, 2 do
  if i == 4 and create then
    redis.call('XADD', KEYS[1], ARGV[i], 'e', ARGV[i + 1])
    redis.call('PEXPIRE', KEYS[1], ARGV[1])
  elseif not redis.call('XADD', KEYS[1], 'NOMKSTREAM', ARGV[i], 'e', ARGV[i + 1]) then
    return redis.error_reply('ERR the stream log is gone from Redis')
  end
  jsons[#jsons + 1] = ARGV[i + 1]
end
redis.call(publish, KEYS[2], '[' .. table.concat(jsons, ',') .. ']')
if string.find(ARGV[2], 'e', 1, true) then
  redis.call('PEXPIRE', KEYS[1], ARGV[1])
  -- A producer taken for dead may end after a new stream replaced it: the metadata and heartbeat are the new one's.
  if redis.call('HGET', KEYS[3], 'generation') == ARGV[3] then
    redis.call('HSET', KEYS[3], 'ended', '1')
    redis.call('DEL', KEYS[4])
    redis.call('PEXPIRE', KEYS[3], ARGV[1])
  end
end
return #jsons
`);

/** What {@link appendBatch} appends: each entry's id and JSON, in order. @internal */
export interface AppendBatch {
  keys: StreamKeys;
  entries: { id: string; json: string }[];
  /** True for the first batch of a stream, which makes its key and sets its expiry; later ones never make it again. */
  create: boolean;
  /** True for the batch that ends with the end marker. */
  end: boolean;
  retentionMs: number;
  /** True when the stream's channel is sharded (a cluster). */
  sharded: boolean;
}

/** Appends a batch of entries to a stream's log and announces them on its channel (and ends the stream after its end marker), in one command. @internal */
export async function appendBatch(send: RedisSend, { keys, entries, create, end, retentionMs, sharded }: AppendBatch): Promise<void> {
  const flags = `${create ? "c" : ""}${end ? "e" : ""}${sharded ? "s" : ""}-`;
  const entryArgs = entries.flatMap((entry) => [entry.id, entry.json]);
  await appendScript(send, [keys.events, keys.tail, keys.meta, keys.alive], [String(retentionMs), flags, keys.generation, ...entryArgs]);
}
