/** The Redis names that every stream created under one id shares: its metadata and its producer's heartbeat. @internal */
export interface StreamIdKeys {
  /** A hash: `owner`, `generation`, and `stop` or `ended` once either happened; the current stream's. */
  meta: string;
  /** Holds the generation of the producer that is alive; expires soon after the producer dies. */
  alive: string;
}

/** The Redis names of one stream: those of its id, and its own log and live channel. @internal */
export interface StreamKeys extends StreamIdKeys {
  /** Which stream of this id the names are for: each one created under the id counts one more. */
  generation: string;
  /** The Redis Stream of its events, then its end marker. */
  events: string;
  /** The pub/sub channel its producer announces each batch on; subscribed while a reader here follows it. */
  tail: string;
}

/**
 * The names of a stream id's metadata and heartbeat. The `{id}` hash tag keeps
 * every key of the id in one slot, so that its commands may go to one shard together.
 * @internal
 */
export function streamIdKeys(prefix: string, streamId: string): StreamIdKeys {
  const base = `${prefix}{${streamId}}:`;
  return { meta: `${base}meta`, alive: `${base}alive` };
}

/**
 * The names of one stream's keys and channel. A stream that replaces an
 * ended one under its id writes a log and a channel of its own, so that a
 * reader still paging through the old log reads it to its end and never
 * crosses into the new one.
 * @internal
 */
export function streamKeys(prefix: string, streamId: string, generation: string): StreamKeys {
  const base = `${prefix}{${streamId}}:${generation}:`;
  return { ...streamIdKeys(prefix, streamId), generation, events: `${base}events`, tail: `${base}tail` };
}
