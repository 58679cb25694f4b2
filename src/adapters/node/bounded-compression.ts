import { Code, ConnectError } from "@connectrpc/connect";
import type { Compression } from "@connectrpc/connect/protocol";
import { errors } from "../../core/errors.ts";
import { connectErrorFrom } from "../connect/connect-error-from.ts";

/**
 * A compression whose decompression of a message larger than `readMaxBytes`
 * fails in tokenwire's words, which name `TOKENWIRE_READ_MAX_BYTES`, rather
 * than connect-node's, which name its own option. No check of the body's
 * bytes (see `boundedBody`) can see that size before it is decompressed.
 */
export function boundedCompression(compression: Compression, onRefused: (error: ConnectError) => void): Compression {
  return {
    name: compression.name,
    compress: (bytes) => compression.compress(bytes),
    async decompress(bytes, readMaxBytes) {
      try {
        return await compression.decompress(bytes, readMaxBytes);
      } catch (reason) {
        if (ConnectError.from(reason).code !== Code.ResourceExhausted) throw reason;
        const refused = connectErrorFrom(errors.requestTooLarge(readMaxBytes));
        onRefused(refused);
        throw refused;
      }
    },
  };
}
