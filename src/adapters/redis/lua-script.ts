import { createHash } from "node:crypto";
import type { RedisSend } from "./redis-clients.ts";

/** A Lua script run by its hash, as one atomic command on the slot of its keys (which share one). @internal */
export type LuaScript = (send: RedisSend, keys: string[], args: string[]) => Promise<unknown>;

/** Wraps a Lua script's source: it is sent by its SHA-1, and whole only to a Redis that does not have it cached. @internal */
export function luaScript(source: string): LuaScript {
  const sha = createHash("sha1").update(source).digest("hex");
  return async (send, keys, args) => {
    const command = [String(keys.length), ...keys, ...args];
    try {
      return await send(["EVALSHA", sha, ...command], keys[0]);
    } catch (error) {
      // A Redis that restarted (or a node that has not run it) has forgotten the script: send it whole once.
      if (!String((error as Error).message).startsWith("NOSCRIPT")) throw error;
      return send(["EVAL", source, ...command], keys[0]);
    }
  };
}
