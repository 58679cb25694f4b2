import { mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { ConfigError } from "../../src/config/config-error.ts";
import { serverConfigFromEnv } from "../../src/config/server-config.ts";
import { defaultMaxConnections, resolveConnectionLimits } from "../../src/adapters/node/connection-limits.ts";
import { selfSignedCert } from "../fixtures/self-signed-cert.ts";

const dir = mkdtempSync(join(tmpdir(), "tokenwire-config-"));
const pem = selfSignedCert(dir);
const notPem = join(dir, "not-pem.txt");
writeFileSync(notPem, "not a certificate\n");

describe("serverConfigFromEnv()", () => {
  it("should serve plain text on 0.0.0.0:8080 with the documented limits when nothing is set", () => {
    const config = serverConfigFromEnv({});
    expect(config).toEqual({
      host: "0.0.0.0",
      port: 8080,
      tls: undefined,
      shutdownGraceMs: 10_000,
      readMaxBytes: 1024 * 1024,
      maxHealthWatches: 1024,
      limits: { maxConcurrentStreams: 1024, maxInputChars: 100_000, maxTokens: 32_768 },
      coalesceMs: 0,
      resumable: { redis: undefined, graceMs: 30_000, retentionMs: 600_000, maxRetainedBytes: 134_217_728, always: false },
    });
    // The connection limits left unset are the one-port server's defaults, as it fills them in.
    expect(resolveConnectionLimits(config)).toEqual({ headersTimeoutMs: 60_000, requestTimeoutMs: 300_000, idleTimeoutMs: 75_000, maxConnections: defaultMaxConnections() });
  });

  it("should read the connection limits that are set", () => {
    const env = { TOKENWIRE_HEADERS_TIMEOUT_MS: "0", TOKENWIRE_REQUEST_TIMEOUT_MS: "1000", TOKENWIRE_IDLE_TIMEOUT_MS: "2000", TOKENWIRE_MAX_CONNECTIONS: "3" };
    expect(serverConfigFromEnv(env)).toMatchObject({ headersTimeoutMs: 0, requestTimeoutMs: 1000, idleTimeoutMs: 2000, maxConnections: 3 });
  });

  it("should read both TLS files when they hold a certificate and its key", () => {
    expect(serverConfigFromEnv({ TLS_CERT_FILE: pem.cert, TLS_KEY_FILE: pem.key }).tls?.cert.toString()).toContain("BEGIN CERTIFICATE");
  });

  it.each([
    [{ TOKENWIRE_SHUTDOWN_GRACE_MS: "2.5" }, 'TOKENWIRE_SHUTDOWN_GRACE_MS must be a whole number of 0 or more, not "2.5"'],
    [{ TOKENWIRE_READ_MAX_BYTES: "-1" }, 'TOKENWIRE_READ_MAX_BYTES must be a whole number of 1 or more, not "-1"'],
    [{ TOKENWIRE_IDLE_TIMEOUT_MS: "2147483648" }, 'TOKENWIRE_IDLE_TIMEOUT_MS must be a whole number of milliseconds from 0 (no limit) to 2147483647, not "2147483648"'],
    [{ TOKENWIRE_HEADERS_TIMEOUT_MS: "1s" }, 'TOKENWIRE_HEADERS_TIMEOUT_MS must be a whole number of milliseconds from 0 (no limit) to 2147483647, not "1s"'],
    [{ TOKENWIRE_MAX_CONNECTIONS: "0" }, 'TOKENWIRE_MAX_CONNECTIONS must be a whole number of 1 or more, not "0"'],
    [{ TLS_KEY_FILE: pem.key }, "TLS_KEY_FILE is set without TLS_CERT_FILE: set both, or neither for plain text"],
    [{ TLS_CERT_FILE: notPem, TLS_KEY_FILE: pem.key }, `TLS_CERT_FILE=${notPem} holds no PEM certificate: set it to the server's certificate in PEM`],
    [{ TLS_CERT_FILE: pem.cert, TLS_KEY_FILE: pem.cert }, `TLS_KEY_FILE=${pem.cert} holds no PEM private key without a passphrase: set it to the certificate's key in PEM`],
  ])("should refuse %j with a ConfigError that names the setting", (env, message) => {
    expect(() => serverConfigFromEnv(env)).toThrow(new ConfigError(message));
  });
});
