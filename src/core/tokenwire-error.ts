import type { Code } from "./code.ts";

const brand = Symbol.for("tokenwire.TokenwireError");

/**
 * The one error class of tokenwire: a {@link Code}, a message safe to send to
 * clients, and a `cause` that is logged but never sent. The errors tokenwire
 * raises itself are named in `errors.ts`.
 */
export class TokenwireError extends Error {
  override name = "TokenwireError";
  readonly code: Code;
  /**
   * What went wrong, as a stable name that code compares: the entry of the
   * catalogue (`errors.ts`) that raised it, such as `streamExists`; `unknown`
   * for an error from anywhere else. Messages may change; reasons do not.
   */
  readonly reason: string;
  /** Milliseconds after which trying again may succeed, when the error knows (a caller over its limit). */
  readonly retryAfterMs?: number;
  readonly [brand] = true;

  constructor(code: Code, message: string, options?: { cause?: unknown; retryAfterMs?: number; reason?: string }) {
    super(message, options);
    this.code = code;
    this.reason = options?.reason ?? "unknown";
    if (options?.retryAfterMs !== undefined) this.retryAfterMs = options.retryAfterMs;
  }

  /**
   * Normalises anything thrown: a TokenwireError as it is, anything else as
   * `internal`, its message kept out of reach of clients. Upstream failures
   * are read by `errorFromUpstream` instead, where they are known to be one.
   */
  static from(reason: unknown): TokenwireError {
    return reason instanceof TokenwireError ? reason : new TokenwireError("internal", "internal error", { cause: reason, reason: "internal" });
  }

  // Two copies of the package in one process must still recognise each other's errors.
  static override [Symbol.hasInstance](value: unknown): value is TokenwireError {
    return typeof value === "object" && value !== null && brand in value;
  }
}
