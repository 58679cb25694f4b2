import { readFileSync } from "node:fs";

/** The server's settings, read from the environment by {@link serverConfigFromEnv}. */
export interface ServerConfig {
  host: string;
  port: number;
  tls: { cert: Buffer; key: Buffer } | undefined;
  shutdownGraceMs: number;
  readMaxBytes: number;
  limits: { maxConcurrentStreams: number; maxInputChars: number; maxTokens: number };
}

/** Reads `HOST`, `PORT`, `TLS_CERT_FILE`, `TLS_KEY_FILE` and the `TOKENWIRE_*` limits. */
export function serverConfigFromEnv(env: Record<string, string | undefined>): ServerConfig {
  const cert = env.TLS_CERT_FILE;
  const key = env.TLS_KEY_FILE;
  if (Boolean(cert) !== Boolean(key)) throw new Error("set both TLS_CERT_FILE and TLS_KEY_FILE, or neither");
  return {
    host: env.HOST || "0.0.0.0",
    port: integer(env, "PORT", 8080),
    tls: cert && key ? { cert: readFileSync(cert), key: readFileSync(key) } : undefined,
    shutdownGraceMs: integer(env, "TOKENWIRE_SHUTDOWN_GRACE_MS", 10_000),
    readMaxBytes: integer(env, "TOKENWIRE_READ_MAX_BYTES", 1024 * 1024),
    limits: {
      maxConcurrentStreams: integer(env, "TOKENWIRE_MAX_STREAMS", 1024),
      maxInputChars: integer(env, "TOKENWIRE_MAX_INPUT_CHARS", 100_000),
      maxTokens: integer(env, "TOKENWIRE_MAX_TOKENS", 32_768),
    },
  };
}

function integer(env: Record<string, string | undefined>, name: string, fallback: number): number {
  const value = env[name];
  if (value === undefined || value === "") return fallback;
  const parsed = Number(value);
  if (!Number.isInteger(parsed) || parsed < 0) throw new Error(`${name} must be a whole number, not "${value}"`);
  return parsed;
}
