import { createSecureContext } from "node:tls";
import { ConfigError } from "./config-error.ts";
import { envNumber } from "./env-number.ts";
import { connectionLimitsFromEnv, type ConnectionConfig } from "./connection-config.ts";
import { readSettingFile } from "./read-setting-file.ts";
import { resumableConfigFromEnv, type ResumableConfig } from "./resumable-config.ts";

/** The server's settings, read from the environment by {@link serverConfigFromEnv}. */
export interface ServerConfig extends ConnectionConfig {
  host: string;
  port: number;
  tls: { cert: Buffer; key: Buffer } | undefined;
  shutdownGraceMs: number;
  readMaxBytes: number;
  maxHealthWatches: number;
  limits: { maxConcurrentStreams: number; maxInputChars: number; maxTokens: number };
  coalesceMs: number;
  resumable: ResumableConfig;
}

/**
 * Reads `HOST`, `PORT`, `TLS_CERT_FILE`, `TLS_KEY_FILE`, the `TOKENWIRE_*`
 * limits and how resumable streams are kept (`REDIS_URL`); a setting the server cannot run with is a {@link ConfigError}.
 */
export function serverConfigFromEnv(env: Record<string, string | undefined>): ServerConfig {
  const atLeastOne = (name: string, fallback: number) => envNumber(env, name, { fallback, min: 1 });
  return {
    host: env.HOST || "0.0.0.0",
    port: envNumber(env, "PORT", { fallback: 8080, max: 65535, expected: "a port number from 0 to 65535 (0 picks a free port)" }),
    tls: tlsFromEnv(env),
    shutdownGraceMs: envNumber(env, "TOKENWIRE_SHUTDOWN_GRACE_MS", { fallback: 10_000 }),
    readMaxBytes: atLeastOne("TOKENWIRE_READ_MAX_BYTES", 1024 * 1024),
    maxHealthWatches: atLeastOne("TOKENWIRE_MAX_HEALTH_WATCHES", 1024),
    ...connectionLimitsFromEnv(env),
    limits: {
      maxConcurrentStreams: atLeastOne("TOKENWIRE_MAX_STREAMS", 1024),
      maxInputChars: atLeastOne("TOKENWIRE_MAX_INPUT_CHARS", 100_000),
      maxTokens: atLeastOne("TOKENWIRE_MAX_TOKENS", 32_768),
    },
    coalesceMs: envNumber(env, "TOKENWIRE_COALESCE_MS", { fallback: 0, max: 1000 }),
    resumable: resumableConfigFromEnv(env),
  };
}

// Checked here, with the file names in the message, rather than as OpenSSL's words when the server is made.
function tlsFromEnv(env: Record<string, string | undefined>): ServerConfig["tls"] {
  const certFile = env.TLS_CERT_FILE;
  const keyFile = env.TLS_KEY_FILE;
  if (!certFile && !keyFile) return undefined;
  if (!certFile || !keyFile) {
    const [set, unset] = certFile ? ["TLS_CERT_FILE", "TLS_KEY_FILE"] : ["TLS_KEY_FILE", "TLS_CERT_FILE"];
    throw new ConfigError(`${set} is set without ${unset}: set both, or neither for plain text`);
  }
  const cert = readSettingFile({ setting: "TLS_CERT_FILE", path: certFile, kind: "a PEM file" });
  const key = readSettingFile({ setting: "TLS_KEY_FILE", path: keyFile, kind: "a PEM file" });
  if (!acceptedByTls({ cert })) throw new ConfigError(`TLS_CERT_FILE=${certFile} holds no PEM certificate: set it to the server's certificate in PEM`);
  if (!acceptedByTls({ key })) throw new ConfigError(`TLS_KEY_FILE=${keyFile} holds no PEM private key without a passphrase: set it to the certificate's key in PEM`);
  if (!acceptedByTls({ cert, key })) throw new ConfigError(`TLS_KEY_FILE=${keyFile} is not the key of TLS_CERT_FILE=${certFile}: set the two to a certificate and its own key`);
  return { cert, key };
}

function acceptedByTls(pem: { cert?: Buffer; key?: Buffer }): boolean {
  try {
    createSecureContext(pem);
    return true;
  } catch {
    return false;
  }
}
