import type { TokenwireError } from "./tokenwire-error.ts";
import type { TokenEvent } from "./token-event.ts";

/**
 * What a transport implements to receive a stream. Producers write events and
 * then close; they never know where the events go.
 */
export interface TokenSink<E = TokenEvent> {
  /**
   * Takes one event. A returned promise asks the producer to wait before the
   * next write; returning nothing lets it go on at once.
   */
  write(event: E): void | Promise<void>;
  /** Ends the stream: without an error it finished well, with one it failed. */
  close(error?: TokenwireError): void;
}
