import { createClient } from "redis";
import type { Logger } from "../../core/logger.ts";

const redisClient = (options: Parameters<typeof createClient>[0]) => createClient(options);

/** A node-redis client as {@link connectRedis} makes it. @internal */
export type RedisClient = ReturnType<typeof redisClient>;

/** The two connections a log needs: commands, and pub/sub (a subscribed connection takes no other command). @internal */
export interface RedisClients {
  commands: RedisClient;
  subscriber: RedisClient;
}

/**
 * Connects to Redis, or rejects with the reason when it cannot be reached.
 * Once connected, a lost connection is retried until Redis is back, and
 * commands fail at once meanwhile rather than wait in a queue, so that no
 * stream hangs on a Redis that is gone. Each loss and return is logged once.
 * @internal
 */
export async function connectRedis(url: string, logger: Logger): Promise<RedisClients> {
  const ready = { commands: false, subscriber: false };
  const socket = (name: keyof typeof ready) => ({ connectTimeout: 5000, reconnectStrategy: retryOnceReady(() => ready[name]) });
  const commands = redisClient({ url, disableOfflineQueue: true, socket: socket("commands") });
  const subscriber = commands.duplicate({ socket: socket("subscriber") });
  commands.once("ready", () => (ready.commands = true));
  subscriber.once("ready", () => (ready.subscriber = true));
  reportLosses(commands, logger);
  subscriber.on("error", () => {}); // its losses are the command connection's too, and reported there
  try {
    await commands.connect();
    await subscriber.connect();
  } catch (error) {
    for (const client of [commands, subscriber]) if (client.isOpen) client.destroy();
    throw error;
  }
  return { commands, subscriber };
}

// Until the first connection, an unreachable Redis is an answer to give at once; after it, a loss is
// waited out, with retries at most a second apart: a restarted Redis serves again within about that.
function retryOnceReady(wasReady: () => boolean) {
  return (retries: number, cause: Error): number | Error => (wasReady() ? Math.min(100 * (retries + 1), 1000) : cause);
}

function reportLosses(client: RedisClient, logger: Logger): void {
  let state: "connecting" | "ready" | "lost" = "connecting";
  client.on("ready", () => {
    if (state === "lost") logger.info({ redis: "ready" }, "the connection to Redis is back");
    state = "ready";
  });
  // Every failed retry is an error event too: only the first after a ready connection is news.
  client.on("error", (error: Error) => {
    if (state !== "ready") return;
    state = "lost";
    logger.warn({ redis: "lost", cause: { name: error.name } }, "the connection to Redis was lost: resumable streams fail with unavailable until it is back");
  });
}
