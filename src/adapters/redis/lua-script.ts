import { createHash } from "node:crypto";
import type { RedisClient } from "./redis-clients.ts";

/** A Lua script run by its hash, as one atomic command. @internal */
export type LuaScript = (redis: RedisClient, keys: string[], args: string[]) => Promise<unknown>;

/** Wraps a Lua script's source: it is sent by its SHA-1, and whole only to a Redis that does not have it cached. @internal */
export function luaScript(source: string): LuaScript {
  const sha = createHash("sha1").update(source).digest("hex");
  return async (redis, keys, args) => {
    const command = [String(keys.length), ...keys, ...args];
    try {
      return await redis.sendCommand(["EVALSHA", sha, ...command]);
    } catch (error) {
      // A Redis that restarted has forgotten the script: send it whole once, and it is cached again.
      if (!String((error as Error).message).startsWith("NOSCRIPT")) throw error;
      return redis.sendCommand(["EVAL", source, ...command]);
    }
  };
}
