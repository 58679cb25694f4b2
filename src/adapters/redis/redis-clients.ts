import { createClient } from "redis";
import { RedisUnansweredError, watchRedisHealth, type RedisHealth, type RedisHealthOptions } from "./redis-health.ts";

const redisClient = (options: Parameters<typeof createClient>[0]) => createClient(options);

/** A node-redis client as {@link connectRedis} makes it. @internal */
export type RedisClient = ReturnType<typeof redisClient>;

// How long connecting may take: a busy host and the connection's first commands, not one command's answer.
const connectMs = 5000;

/** How {@link connectRedis} connects, and how it judges and reports the connection. @internal */
export interface ConnectOptions extends Omit<RedisHealthOptions, "consequence"> {
  url: string;
  /** What trouble means to the connection's users, said in the line that reports it. */
  consequence: string;
  /** True for a second connection for pub/sub (a subscribed connection takes no other command). */
  subscriber?: boolean;
}

/** The connections to one Redis, and its health as their answers tell it. @internal */
export interface RedisConnections<Subscriber extends RedisClient | undefined> {
  commands: RedisClient;
  subscriber: Subscriber;
  health: RedisHealth;
}

/**
 * Connects to Redis, or rejects with the reason when it cannot be reached or
 * does not answer within 5 s (or `answerMs`, when longer). Once connected, a lost connection is
 * retried until Redis is back, and commands fail at once meanwhile rather
 * than wait in a queue, so that no stream hangs on a Redis that is gone; a
 * Redis that stops answering is told by its answers ({@link watchRedisHealth}).
 * @internal
 */
export async function connectRedis(options: ConnectOptions & { subscriber: true }): Promise<RedisConnections<RedisClient>>;
export async function connectRedis(options: ConnectOptions): Promise<RedisConnections<RedisClient | undefined>>;
export async function connectRedis(options: ConnectOptions): Promise<RedisConnections<RedisClient | undefined>> {
  const { url, answerMs } = options;
  const ready = { commands: false, subscriber: false };
  const socket = (name: keyof typeof ready) => ({ connectTimeout: connectMs, reconnectStrategy: retryOnceReady(() => ready[name]) });
  // Without node-redis's timer per command (an AbortSignal.timeout that fires even after the reply, costing about
  // as much as the command itself, and that stops counting once the command is written): the health's deadline
  // is one timer for every command.
  const commands = redisClient({ url, disableOfflineQueue: true, commandOptions: { timeout: 0 }, socket: socket("commands") });
  const subscriber = options.subscriber ? commands.duplicate({ socket: socket("subscriber") }) : undefined;
  // Never `once` on a node-redis client: removing the listener gives the client's proxy event listeners of its
  // own, which the client no longer emits to.
  commands.on("ready", () => (ready.commands = true));
  subscriber?.on("ready", () => (ready.subscriber = true));
  subscriber?.on("error", () => {}); // its losses are the command connection's too, and reported there
  const clients = subscriber ? [commands, subscriber] : [commands];
  try {
    // A Redis that accepts the connection but answers nothing (paused, asleep) is not waited for.
    await withDeadline(Promise.all(clients.map((client) => client.connect())), Math.max(answerMs, connectMs));
  } catch (error) {
    for (const client of clients) if (client.isOpen) client.destroy();
    throw error;
  }
  return { commands, subscriber, health: watchRedisHealth(commands, options) };
}

/** Closes connections once what they sent is answered, or at once when that takes longer than `ms`. @internal */
export async function closeRedis(clients: (RedisClient | undefined)[], ms: number): Promise<void> {
  await Promise.all(clients.map((client) => client && withDeadline(client.close(), ms).catch(() => client.destroy())));
}

async function withDeadline<T>(promise: Promise<T>, ms: number): Promise<T> {
  let timer: ReturnType<typeof setTimeout> | undefined;
  const late = new Promise<never>((_, reject) => (timer = setTimeout(() => reject(new RedisUnansweredError(ms)), ms)));
  try {
    return await Promise.race([promise, late]);
  } finally {
    clearTimeout(timer);
  }
}

// Until the first connection, an unreachable Redis is an answer to give at once; after it, a loss is
// waited out, with retries at most a second apart: a restarted Redis serves again within about that.
function retryOnceReady(wasReady: () => boolean) {
  return (retries: number, cause: Error): number | Error => (wasReady() ? Math.min(100 * (retries + 1), 1000) : cause);
}
