import { ConfigError } from "./config-error.ts";
import { envNumber } from "./env-number.ts";

/** Where a Redis is, as the settings name it: one server, a cluster's seed nodes, or Sentinels and the master they watch. */
export type RedisLocation = { url: string } | { clusterNodes: string[] } | { sentinels: { host: string; port: number }[]; sentinelMaster: string };

// How long Redis has to answer, by default: long past a healthy round trip, short against a stream's patience.
const defaultAnswerMs = 2000;

/** The Redis `npm start` shares with other replicas, read by {@link redisConfigFromEnv}. */
export interface RedisConfig {
  /** One server (`REDIS_URL`), a cluster (`REDIS_CLUSTER_NODES`), or a master that Sentinels name (`REDIS_SENTINELS`, `REDIS_SENTINEL_MASTER`). */
  location: RedisLocation;
  /** The variable that named it and its value without passwords, for messages: `REDIS_URL` and `redis://cache:6379`. */
  setting: { name: string; shown: string };
  /** `TOKENWIRE_REDIS_ANSWER_MS`: how long Redis has to answer before resumable streams fail and limits are held by each replica. */
  answerMs: number;
  /** `TOKENWIRE_REDIS_FAILOVER_MS`: how long resumable streams wait for a failover; unset, the log's default for the topology. */
  failoverMs?: number;
}

const variables = ["REDIS_URL", "REDIS_CLUSTER_NODES", "REDIS_SENTINELS"] as const;

/**
 * Reads `REDIS_URL`, `REDIS_CLUSTER_NODES` (comma-separated `redis://` seed
 * URLs), or `REDIS_SENTINELS` (comma-separated `host:port`) with
 * `REDIS_SENTINEL_MASTER`, `TOKENWIRE_REDIS_ANSWER_MS` and
 * `TOKENWIRE_REDIS_FAILOVER_MS`; undefined without
 * a Redis. More than one of the three, or a value it cannot use, is a {@link ConfigError}.
 */
export function redisConfigFromEnv(env: Record<string, string | undefined>): RedisConfig | undefined {
  const value = (name: string) => env[name]?.trim() || undefined;
  const set = variables.filter((name) => value(name) !== undefined);
  if (set.length > 1) throw new ConfigError(`${set.join(" and ")} are set, and each names a different Redis: set only one of them`);
  const master = value("REDIS_SENTINEL_MASTER");
  if (master !== undefined && set[0] !== "REDIS_SENTINELS") {
    throw new ConfigError("REDIS_SENTINEL_MASTER names the master that REDIS_SENTINELS watch: set REDIS_SENTINELS to their host:port list too, or unset it");
  }
  const name = set[0];
  if (name === undefined) return undefined;
  const answerMs = envNumber(env, "TOKENWIRE_REDIS_ANSWER_MS", { fallback: defaultAnswerMs, min: 1 });
  const failover = value("TOKENWIRE_REDIS_FAILOVER_MS") === undefined ? {} : { failoverMs: envNumber(env, "TOKENWIRE_REDIS_FAILOVER_MS", { fallback: 0 }) };
  const bounds = { answerMs, ...failover };
  const text = value(name)!;
  if (name === "REDIS_URL") return { location: { url: redisUrl(name, text) }, setting: { name, shown: withoutPassword(text) }, ...bounds };
  const list = text.split(",").map((item) => item.trim());
  if (name === "REDIS_CLUSTER_NODES") {
    const nodes = list.map((url) => redisUrl(name, url));
    return { location: { clusterNodes: nodes }, setting: { name, shown: nodes.map(withoutPassword).join(",") }, ...bounds };
  }
  if (master === undefined) throw new ConfigError("REDIS_SENTINELS needs REDIS_SENTINEL_MASTER, the name the Sentinels watch the master under (as in their sentinel monitor line)");
  return { location: { sentinels: list.map(sentinelAddress), sentinelMaster: master }, setting: { name, shown: text }, ...bounds };
}

function redisUrl(name: string, url: string): string {
  if (/^rediss?:\/\/[^/]/.test(url)) return url;
  const what = name === "REDIS_URL" ? "a redis://host:port or rediss://host:port URL" : "comma-separated redis://host:port URLs of the cluster's nodes";
  throw new ConfigError(`${name} must be ${what}, not "${withoutPassword(url)}"`);
}

function sentinelAddress(address: string): { host: string; port: number } {
  const [, host, port] = /^\[?([^\]\s]+?)\]?:(\d{1,5})$/.exec(address) ?? [];
  if (host === undefined || !(Number(port) >= 1 && Number(port) <= 65535)) {
    throw new ConfigError(`REDIS_SENTINELS must be comma-separated host:port addresses of Sentinels, not "${address}"`);
  }
  return { host, port: Number(port) };
}

/** A Redis URL as logs and messages show it: never with its password. */
export function withoutPassword(url: string): string {
  try {
    const parsed = new URL(url);
    if (parsed.password) parsed.password = "***";
    return parsed.toString().replace(/\/$/, "");
  } catch {
    return url.replace(/\/\/[^@/]*@/, "//***@");
  }
}
