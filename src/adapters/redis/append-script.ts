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
//
// The fence (ARGV[4]) is the last sequence the writer knows Redis took. Replication is asynchronous: a master
// that dies takes with it what it acknowledged and had not yet sent its replica, and the replica promoted in
// its place holds a shorter log. A log that ends before the fence appends nothing and answers where it ends,
// so that the writer writes again what is missing before it goes on. A batch sent again after its answer was
// lost (flag r) skips what is already there. The end marker ends the log: a batch that finds it is all in.
const appendScript = luaScript(`
local last = redis.call('XREVRANGE', KEYS[1], '+', '-', 'COUNT', 1)[1]
if last and last[1] == '2-0' then return {1, 0} end
local lastSeq = last and tonumber(string.sub(last[1], 3)) or -1
if lastSeq < tonumber(ARGV[4]) then
  if redis.call('HGET', KEYS[3], 'generation') ~= ARGV[3] then return redis.error_reply('ERR the stream log is gone from Redis') end
  return {0, lastSeq}
end
local retry = string.find(ARGV[2], 'r', 1, true)
local publish = string.find(ARGV[2], 's', 1, true) and 'SPUBLISH' or 'PUBLISH'
local jsons = {}
for i = 5, #ARGV, 2 do
  if not (retry and ARGV[i] ~= '2-0' and tonumber(string.sub(ARGV[i], 3)) <= lastSeq) then
    redis.call('XADD', KEYS[1], ARGV[i], 'e', ARGV[i + 1])
    jsons[#jsons + 1] = ARGV[i + 1]
  end
end
if not last and #jsons > 0 then redis.call('PEXPIRE', KEYS[1], ARGV[1]) end
if #jsons > 0 then redis.call(publish, KEYS[2], '[' .. table.concat(jsons, ',') .. ']') end
if string.find(ARGV[2], 'e', 1, true) then
  redis.call('PEXPIRE', KEYS[1], ARGV[1])
  -- A producer taken for dead may end after a new stream replaced it: the metadata and heartbeat are the new one's.
  if redis.call('HGET', KEYS[3], 'generation') == ARGV[3] then
    redis.call('HSET', KEYS[3], 'ended', '1')
    redis.call('DEL', KEYS[4])
    redis.call('PEXPIRE', KEYS[3], ARGV[1])
  end
end
return {1, #jsons}
`);

/** What {@link appendBatch} appends: each entry's id and JSON, in order. @internal */
export interface AppendBatch {
  keys: StreamKeys;
  entries: { id: string; json: string }[];
  /** The last sequence the writer knows the log holds (-1 for none): the log must end there, or later for a retry. */
  fence: number;
  /** True for a batch sent again after its answer was lost: what the log already holds of it is skipped. */
  retry: boolean;
  /** True for the batch that ends with the end marker. */
  end: boolean;
  retentionMs: number;
  /** True when the stream's channel is sharded (a cluster). */
  sharded: boolean;
}

/**
 * Appends a batch of entries to a stream's log and announces them on its
 * channel (and ends the stream after its end marker), in one command.
 * Resolves with undefined, or with the last sequence of a log that ends
 * before the fence, to which nothing was appended.
 * @internal
 */
export async function appendBatch(send: RedisSend, { keys, entries, fence, retry, end, retentionMs, sharded }: AppendBatch): Promise<number | undefined> {
  const flags = `${retry ? "r" : ""}${end ? "e" : ""}${sharded ? "s" : ""}-`;
  const entryArgs = entries.flatMap((entry) => [entry.id, entry.json]);
  const [appended, lastSeq] = (await appendScript(send, [keys.events, keys.tail, keys.meta, keys.alive], [String(retentionMs), flags, keys.generation, String(fence), ...entryArgs])) as [number, number];
  return appended === 1 ? undefined : lastSeq;
}
