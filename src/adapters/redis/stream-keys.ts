/** The Redis names of one stream: its log, its metadata, its producer's heartbeat and its live channel. @internal */
export interface StreamKeys {
  /** The Redis Stream of its events, then its end marker. */
  events: string;
  /** A hash: `owner`, and `stop` or `ended` once either happened. */
  meta: string;
  /** Exists while its producer is alive; expires soon after the producer dies. */
  alive: string;
  /** The pub/sub channel its producer announces each batch on; subscribed while a reader here follows it. */
  tail: string;
}

/**
 * The names of one stream's keys and channel. The `{id}` hash tag keeps them
 * in one slot, so that a stream's commands may go to one shard together.
 * @internal
 */
export function streamKeys(prefix: string, streamId: string): StreamKeys {
  const base = `${prefix}{${streamId}}:`;
  return { events: `${base}events`, meta: `${base}meta`, alive: `${base}alive`, tail: `${base}tail` };
}
