import { setTimeout as delay } from "node:timers/promises";
import { ErrorReply } from "redis";
import { errors } from "../../core/errors.ts";
import { TokenwireError } from "../../core/tokenwire-error.ts";
import { RedisUnansweredError } from "./redis-health.ts";

/** What a stream meets when Redis fails its log, in the catalogue's words: no answer, out of memory, or unavailable. @internal */
export function logFailure(cause: unknown): TokenwireError {
  if (cause instanceof TokenwireError) return cause;
  if (cause instanceof RedisUnansweredError) return errors.logUnanswered(cause.ms, cause);
  if (cause instanceof ErrorReply && cause.message.startsWith("OOM")) return errors.logOutOfMemory(cause);
  return errors.logUnavailable(cause);
}

// What Redis answers while a replica takes over: the cluster has no master for the slot yet, the old master is a
// replica now, or the new one is still loading.
const failoverReplies = /^(CLUSTERDOWN|TRYAGAIN|READONLY|MASTERDOWN|LOADING)\b/;

/** How long streams wait for a failover, and whether a Redis that stops answering may be one. @internal */
export interface Failover {
  /** Milliseconds a stream waits; 0 fails it at once. */
  ms: number;
  /**
   * True through Sentinel, where node-redis holds commands from a master that
   * died until the Sentinels name the next: its silence is a failover too.
   */
  silence: boolean;
}

/**
 * Whether a stream waits out `cause` for up to the failover's bound rather
 * than fail: a lost connection or an answer of a failover, and a silence where
 * it may be one; never a write Redis refuses.
 * @internal
 */
export function ridesOut(cause: unknown, failover: Failover): boolean {
  if (failover.ms <= 0 || cause instanceof TokenwireError) return false;
  if (cause instanceof RedisUnansweredError) return failover.silence;
  return !(cause instanceof ErrorReply) || failoverReplies.test(cause.message);
}

/**
 * Sends a command, and sends it again a beat apart while it fails as a
 * failover makes commands fail ({@link ridesOut}), up to the failover's bound
 * or until `signal` aborts: what begins during a failover waits it out, as the
 * streams in flight do. Rejects with the last failure.
 * @internal
 */
export async function throughFailover<T>(send: () => Promise<T>, { failover, beatMs, signal }: { failover: Failover; beatMs: number; signal?: AbortSignal }): Promise<T> {
  const since = Date.now();
  for (;;) {
    try {
      return await send();
    } catch (cause) {
      if (!ridesOut(cause, failover) || Date.now() - since >= failover.ms || signal?.aborted) throw cause;
      await delay(beatMs, undefined, { ref: false, signal }).catch(() => {});
    }
  }
}

/** Throws {@link logFailure}'s error for `cause`. @internal */
export function unavailable(cause: unknown): never {
  throw logFailure(cause);
}
