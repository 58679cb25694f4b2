import type { Client } from "@connectrpc/connect";
import type { TokenService } from "../../gen/tokenwire/v1/token_service_pb.js";
import { ask } from "./ask.ts";

/** A `StreamTokens` call held open mid-answer, and the way to let it go. */
export interface HeldStream {
  /** The stream's id when it is resumable; empty otherwise. */
  streamId: string;
  /** Aborts the call, as a client that goes away, and resolves once the client has seen it end. */
  release(): Promise<void>;
}

/** Options of {@link holdStream}: the call's headers (its key), and whether its stream is resumable. */
export interface HoldStreamOptions {
  headers?: Record<string, string>;
  resumable?: boolean;
}

/**
 * Opens a `StreamTokens` call on the fake's `stall-after-3` model, which sends
 * three tokens and then nothing, and reads it to its first delta: the stream
 * is then live, and stays so until released.
 */
export async function holdStream(client: Client<typeof TokenService>, options: HoldStreamOptions = {}): Promise<HeldStream> {
  const controller = new AbortController();
  const responses = client.streamTokens(ask("stall-after-3", options.resumable), { headers: options.headers, signal: controller.signal })[Symbol.asyncIterator]();
  const first = (await responses.next()).value;
  while ((await responses.next()).value?.event.case !== "delta");
  return {
    streamId: first?.event.case === "started" ? first.event.value.streamId : "",
    release: async () => {
      controller.abort();
      await responses.next().catch(() => undefined);
    },
  };
}
