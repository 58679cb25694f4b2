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

/** Throws {@link logFailure}'s error for `cause`. @internal */
export function unavailable(cause: unknown): never {
  throw logFailure(cause);
}
