export { createRedisStreamLog, type RedisStreamLogOptions } from "./redis-stream-log.ts";
export type { RedisLocation } from "./redis-clients.ts";
