import type { TokenEvent } from "./token-event.ts";
import type { TokenSink } from "./token-sink.ts";

/** Options of {@link StreamLog.create}. */
export interface CreateStreamOptions {
  /** The caller who started the stream; only that caller may read or stop it. Unset: anyone may. */
  owner?: string;
  /** Milliseconds the stream goes on with no reader before `abandoned` aborts. */
  graceMs: number;
}

/** Options of {@link StreamLog.read}. */
export interface ReadStreamOptions {
  /** The last sequence the reader has; reading starts after it (-1 for the whole stream). */
  afterSeq: number;
  /** The caller reading; must be the owner when the stream has one. */
  caller?: string;
  /** Ends the read; the reader then no longer counts as present. */
  signal?: AbortSignal;
  /** Refuses a stream that has ended with `not_found`: the reader wants only one still generating. */
  onlyLive?: boolean;
}

/** The producer's side of a logged stream: a sink that appends, and the two ways the log may end it. */
export interface StreamLogWriter extends TokenSink<TokenEvent> {
  /** Aborted when a stop request reaches this stream, from any replica. */
  readonly stopped: AbortSignal;
  /** Aborted when no reader has been present for the grace period, or when the log can no longer keep the stream (its reason says which). */
  readonly abandoned: AbortSignal;
}

/**
 * Where resumable streams live, so that they outlive their connection: an
 * ordered, gap-free log of each stream's events that any number of readers
 * follow, from any point, while it is written and for a while after it ended.
 * The in-memory log serves one process; a shared one (Redis) serves replicas.
 */
export interface StreamLog {
  /**
   * Starts a stream's log and returns the sink its producer writes into. An
   * id whose stream has ended (or lost its producer) and has the same owner is
   * replaced; one still generating, or another owner's, is refused with
   * `errors.streamExists()`.
   */
  create(streamId: string, options: CreateStreamOptions): Promise<StreamLogWriter>;
  /**
   * The events after `afterSeq`, then the live ones to the end, then the
   * stream's own outcome (its error, if it failed). Throws `not_found` for an
   * unknown, expired or another caller's stream, and `out_of_range` for a
   * sequence beyond the stream's last.
   */
  read(streamId: string, options: ReadStreamOptions): AsyncIterable<TokenEvent>;
  /** Asks a stream's producer, wherever it runs, to stop; true when it was still generating. */
  stop(streamId: string, caller?: string): Promise<boolean>;
  /**
   * Forgets a stream that has ended at once, as the end of its retention
   * would: its id then reads as unknown. False for one still generating,
   * which is left as it is (stop it, and let it end, first). Throws
   * `not_found` as {@link read} does.
   */
  delete(streamId: string, caller?: string): Promise<boolean>;
  /** Lets go of connections and timers. */
  close(): Promise<void>;
}
