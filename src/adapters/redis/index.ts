export { createRedisStreamLog, type RedisStreamLogOptions } from "./redis-stream-log.ts";
