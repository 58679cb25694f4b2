import type { Code } from "./code.ts";
import { errorFromUpstream } from "./error-from-upstream.ts";

const brand = Symbol.for("tokenwire.TokenwireError");

/**
 * The one error class of tokenwire: a {@link Code}, a message safe to send to
 * clients, and a `cause` that is logged but never sent.
 */
export class TokenwireError extends Error {
  override name = "TokenwireError";
  readonly code: Code;
  readonly [brand] = true;

  constructor(code: Code, message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.code = code;
  }

  /** Normalises anything thrown by a runnable, an upstream or a signal. */
  static from(reason: unknown): TokenwireError {
    return reason instanceof TokenwireError ? reason : errorFromUpstream(reason);
  }

  // Two copies of the package in one process must still recognise each other's errors.
  static override [Symbol.hasInstance](value: unknown): value is TokenwireError {
    return typeof value === "object" && value !== null && brand in value;
  }
}
