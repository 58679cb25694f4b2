import type { StreamLog } from "./stream-log.ts";

/**
 * A stream log in which each caller's stream ids are its own: the stream one
 * caller names `chat-1` is not the one another caller names so. An id then
 * tells a caller nothing of other callers' streams: under an id another
 * caller uses, it starts a stream of its own, as under an id no one uses,
 * where one namespace for all would refuse the id as taken. Callers the
 * `authenticate` hook does not name share the plain ids, as before.
 * @internal
 */
export function callerScopedLog(log: StreamLog): StreamLog {
  return {
    create: (streamId, options) => log.create(scoped(streamId, options.owner), options),
    read: (streamId, options) => log.read(scoped(streamId, options.caller), options),
    stop: (streamId, caller) => log.stop(scoped(streamId, caller), caller),
    delete: (streamId, caller) => log.delete(scoped(streamId, caller), caller),
    close: () => log.close(),
  };
}

// A stream id holds no `/` (named-stream.ts), so a caller's name and an id never make one another's key. The log
// still checks each stream's owner on every read, stop and delete.
function scoped(streamId: string, caller: string | undefined): string {
  return caller === undefined ? streamId : `${caller}/${streamId}`;
}
