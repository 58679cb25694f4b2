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

/**
 * Whether a stream waits out `cause` for up to `failoverMs` rather than fail:
 * a lost connection or an answer of a failover, never a Redis that stops
 * answering (judged by `answerMs`) or refuses a write.
 * @internal
 */
export function ridesOut(cause: unknown, failoverMs: number): boolean {
  if (failoverMs <= 0 || cause instanceof TokenwireError || cause instanceof RedisUnansweredError) return false;
  return !(cause instanceof ErrorReply) || failoverReplies.test(cause.message);
}

/** Throws {@link logFailure}'s error for `cause`. @internal */
export function unavailable(cause: unknown): never {
  throw logFailure(cause);
}
