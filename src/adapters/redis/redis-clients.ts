import { createClient, createCluster, createSentinel } from "redis";
import { RedisUnansweredError, watchRedisHealth, type RedisHealth, type RedisHealthEvents, type RedisHealthOptions } from "./redis-health.ts";

const redisClient = (options: Parameters<typeof createClient>[0]) => createClient(options);

/** A node-redis client of one server. @internal */
export type RedisClient = ReturnType<typeof redisClient>;

/** The commands tokenwire sends by name, which one server, a cluster (by the key's slot) and Sentinel's master all take. @internal */
export type RedisCommands = Pick<RedisClient, "xRange" | "xRevRange" | "get" | "set" | "hGetAll" | "hGet" | "hSet" | "pExpire" | "publish">;

/** Sends a command as written (a script's `EVALSHA`), to the slot of its first key on a cluster. @internal */
export type RedisSend = (args: string[], firstKey: string | undefined) => Promise<unknown>;

/** Where Redis is: one server's URL, a cluster's seed URLs, or the master that Sentinels name. @internal */
export type RedisTarget = { url: string } | { clusterNodes: string[] } | { sentinels: { host: string; port: number }[]; masterName: string };

/** Where Redis is, as options say it: one server's `url`, a cluster's `clusterNodes`, or `sentinels` and the `sentinelMaster` they watch. */
export interface RedisLocation {
  /** `redis://[[user]:password@]host[:port][/db]`, or `rediss://` for TLS; default `redis://127.0.0.1:6379`. */
  url?: string;
  /** A Redis Cluster: the `redis://` URLs of some of its nodes, from which the others are found. */
  clusterNodes?: readonly string[];
  /** Redis Sentinels, which name the master to use and follow its failovers; with `sentinelMaster`. */
  sentinels?: readonly { host: string; port: number }[];
  /** The name the Sentinels watch the master under. */
  sentinelMaster?: string;
}

/** The one place a {@link RedisLocation} names; more than one is an error. @internal */
export function targetOf({ url, clusterNodes, sentinels, sentinelMaster }: RedisLocation): RedisTarget {
  const set = [url !== undefined, clusterNodes !== undefined, sentinels !== undefined].filter(Boolean).length;
  if (set > 1) throw new TypeError("set one of url, clusterNodes or sentinels: they name different Redis deployments");
  if (clusterNodes) {
    if (clusterNodes.length === 0) throw new TypeError("clusterNodes names no node");
    return { clusterNodes: [...clusterNodes] };
  }
  if (sentinels) {
    if (sentinels.length === 0 || !sentinelMaster) throw new TypeError("sentinels need at least one host and port, and sentinelMaster the name of the master they watch");
    return { sentinels: [...sentinels], masterName: sentinelMaster };
  }
  return { url: url ?? "redis://127.0.0.1:6379" };
}

/** Takes the messages of one channel. @internal */
export type ChannelListener = (message: string) => void;

/**
 * The channels of streams, one each: classic pub/sub on one server, sharded
 * pub/sub on a cluster, where each channel lives on its slot's node with the
 * stream's keys, instead of every message going to every node.
 * @internal
 */
export interface StreamChannels {
  /** True on a cluster: a script announces with `SPUBLISH`. */
  sharded: boolean;
  subscribe(channel: string, listener: ChannelListener): Promise<void>;
  unsubscribe(channel: string, listener: ChannelListener): Promise<void>;
  publish(channel: string, message: string): Promise<unknown>;
  /** The connections subscribed to the channel, counted where it lives. */
  readers(channel: string): Promise<number>;
}

/** One Redis as tokenwire uses it, whatever its topology. @internal */
export interface RedisLink {
  commands: RedisCommands;
  send: RedisSend;
  channels: StreamChannels;
  /** Listens to a channel every replica hears (classic pub/sub, which a cluster sends to every node). */
  listen(channel: string, listener: ChannelListener): Promise<void>;
  /** Counts the listening connection's returns: what was published while it was away was missed. */
  listenerEpoch(): number;
  health: RedisHealth;
  /** Closes the connections once what they sent is answered, or at once when that takes longer than `ms`. */
  close(ms: number): Promise<void>;
}

// How long connecting may take: a busy host and the connection's first commands, not one command's answer.
const connectMs = 5000;

/** How {@link connectRedis} connects, and how it judges and reports the connection. @internal */
export interface ConnectOptions extends RedisHealthOptions {
  target: RedisTarget;
  /** True when the link subscribes (stream logs): one server then gets a second connection for pub/sub. */
  subscriber?: boolean;
}

// Without node-redis's timer per command (an AbortSignal.timeout that fires even after the reply, costing about
// as much as the command itself, and that stops counting once the command is written): the health's deadline
// is one timer for every command. Commands fail at once while a connection is down rather than wait in a queue.
const commandDefaults = { disableOfflineQueue: true, commandOptions: { timeout: 0 } } as const;

/**
 * Connects to Redis (one server, a cluster or Sentinel's master), or
 * rejects with the reason when it cannot be reached or does not answer within
 * 5 s (or `answerMs`, when longer). Once connected, a lost connection is
 * retried until Redis is back, and commands fail at once meanwhile, so that
 * no stream hangs on a Redis that is gone; a Redis that stops answering is
 * told by its answers ({@link watchRedisHealth}).
 * @internal
 */
export async function connectRedis(options: ConnectOptions): Promise<RedisLink> {
  const { target } = options;
  const link = "url" in target ? serverLink(target.url, options) : "clusterNodes" in target ? clusterLink(target.clusterNodes, options) : sentinelLink(target, options);
  try {
    // A Redis that accepts the connection but answers nothing (paused, asleep) is not waited for.
    await withDeadline(link.connect(), Math.max(options.answerMs, connectMs));
  } catch (error) {
    link.destroy();
    throw error;
  }
  return link.link;
}

interface Unconnected {
  link: RedisLink;
  connect(): Promise<unknown>;
  destroy(): void;
}

function serverLink(url: string, options: ConnectOptions): Unconnected {
  const ready = { commands: false, subscriber: false };
  const socket = (name: keyof typeof ready) => ({ connectTimeout: connectMs, reconnectStrategy: retryOnceReady(() => ready[name]) });
  const commands = redisClient({ url, ...commandDefaults, socket: socket("commands") });
  const subscriber = options.subscriber ? commands.duplicate({ socket: socket("subscriber") }) : undefined;
  const health = watchRedisHealth(() => commands.ping(), options);
  let epoch = 0;
  // Never `once` on a node-redis client: removing the listener gives the client's proxy event listeners of its
  // own, which the client no longer emits to.
  commands.on("ready", () => ((ready.commands = true), health.ready()));
  commands.on("error", (error: Error) => ready.commands && health.lost(error));
  subscriber?.on("ready", () => ((ready.subscriber = true), epoch++));
  subscriber?.on("error", () => {}); // its losses are the command connection's too, and reported there
  const clients = subscriber ? [commands, subscriber] : [commands];
  const listener = subscriber ?? commands;
  return {
    connect: () => Promise.all(clients.map((client) => client.connect())),
    destroy: () => clients.forEach((client) => client.isOpen && client.destroy()),
    link: {
      commands,
      send: (args) => commands.sendCommand(args),
      channels: {
        sharded: false,
        subscribe: (channel, listen) => listener.subscribe(channel, listen),
        unsubscribe: (channel, listen) => listener.unsubscribe(channel, listen),
        publish: (channel, message) => commands.publish(channel, message),
        readers: (channel) => commands.pubSubNumSub(channel).then((counts) => Number(counts[channel] ?? 0)),
      },
      listen: (channel, listen) => listener.subscribe(channel, listen),
      listenerEpoch: () => epoch,
      health,
      close: (ms) => closeAll(clients, health, ms),
    },
  };
}

function clusterLink(nodes: string[], options: ConnectOptions): Unconnected {
  const seed = new URL(nodes[0]!);
  const credentials = { username: decodeURIComponent(seed.username) || undefined, password: decodeURIComponent(seed.password) || undefined };
  const reconnectStrategy = (retries: number) => Math.min(100 * (retries + 1), 1000);
  const cluster = createCluster({
    rootNodes: nodes.map((url) => ({ url })),
    defaults: { ...commandDefaults, ...credentials, socket: { connectTimeout: connectMs, reconnectStrategy } },
    commandOptions: commandDefaults.commandOptions,
    // A node that stays lost for a second sends the client to ask the others who holds its slots now: after a
    // failover, its replica. node-redis then moves the sharded subscriptions there.
    topologyRefreshOnReconnectionAttemptStrategy: 1000,
  });
  const health = watchRedisHealth(() => cluster.sendCommand(undefined, false, ["PING"]), options);
  // A node is lost from its first error to its next ready, or until the cluster no longer names it: every
  // connection to it (commands, pub/sub) counts.
  const lost = new Set<string>();
  const nodeOf = ({ host, port }: { host: string; port: number }) => `${host}:${port}`;
  let epoch = 0;
  cluster.on("error", () => {}); // a node's losses are reported as the node's
  cluster.on("node-error", (error: Error, node: { host: string; port: number }) => {
    lost.add(nodeOf(node));
    health.lost(error);
  });
  const back = (node: { host: string; port: number }): void => void (lost.delete(nodeOf(node)) && lost.size === 0 && health.ready());
  cluster.on("node-ready", (node: { host: string; port: number }) => (epoch++, back(node)));
  // A node the cluster no longer names (a master that died and was replaced) is let go of, and no longer lost.
  cluster.on("node-disconnect", back);
  return {
    connect: () => cluster.connect(),
    destroy: () => void cluster.destroy(),
    link: {
      commands: cluster,
      send: (args, firstKey) => cluster.sendCommand(firstKey, false, args),
      channels: {
        sharded: true,
        subscribe: (channel, listen) => cluster.sSubscribe(channel, listen),
        unsubscribe: (channel, listen) => cluster.sUnsubscribe(channel, listen),
        publish: (channel, message) => cluster.sendCommand(channel, false, ["SPUBLISH", channel, message]),
        // Sharded subscribers are counted by the master of the channel's slot, where node-redis subscribes.
        readers: async (channel) => Number((await (await cluster.getNodeClientForKey(channel)).pubSubShardNumSub(channel))[channel] ?? 0),
      },
      listen: (channel, listen) => cluster.subscribe(channel, listen),
      listenerEpoch: () => epoch,
      health,
      close: (ms) => closeAll([cluster], health, ms),
    },
  };
}

function sentinelLink({ sentinels, masterName }: { sentinels: { host: string; port: number }[]; masterName: string }, options: ConnectOptions): Unconnected {
  const sentinel = createSentinel({ name: masterName, sentinelRootNodes: sentinels, nodeClientOptions: commandDefaults, commandOptions: commandDefaults.commandOptions });
  const health = watchRedisHealth(() => sentinel.sendCommand(false, ["PING"]), options);
  let epoch = 0;
  // A failover is a loss until the new master is ready; the sentinels' own troubles are theirs.
  sentinel.on("error", () => {});
  sentinel.on("reconnecting", () => health.lost(new Error("Sentinel is switching to a new master")));
  // The master lost before the Sentinels name another: its commands fail at once meanwhile, rather than go unanswered.
  sentinel.on("client-error", (event: { type: string; error: Error }) => event.type === "MASTER" && health.lost(event.error));
  sentinel.on("ready", () => (epoch++, health.ready()));
  return {
    connect: () => sentinel.connect(),
    destroy: () => void sentinel.destroy(),
    link: {
      commands: sentinel,
      send: (args) => sentinel.sendCommand(false, args),
      channels: {
        sharded: false,
        subscribe: (channel, listen) => sentinel.subscribe(channel, listen),
        unsubscribe: (channel, listen) => sentinel.unsubscribe(channel, listen as Parameters<typeof sentinel.unsubscribe>[1]),
        publish: (channel, message) => sentinel.publish(channel, message),
        readers: (channel) => sentinel.pubSubNumSub(channel).then((counts) => Number(counts[channel] ?? 0)),
      },
      listen: (channel, listen) => sentinel.subscribe(channel, listen),
      listenerEpoch: () => epoch,
      health,
      close: (ms) => closeAll([sentinel], health, ms),
    },
  };
}

async function closeAll(clients: { close(): Promise<unknown>; destroy(): unknown }[], health: RedisHealth, ms: number): Promise<void> {
  health.close();
  await Promise.all(clients.map((client) => withDeadline(client.close(), ms).catch(() => client.destroy())));
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
