import { createClient, type Transport } from "@connectrpc/connect";
import { TokenService } from "../../gen/tokenwire/v1/token_service_pb.js";
import type { StopOptions } from "./parse-cli-args.ts";

/**
 * Stops a resumable stream's generation (StopStream) and returns the line
 * that says whether this call stopped it. Its readers, wherever they are, get
 * what it generated so far and then `finished` with FINISH_REASON_STOPPED.
 * An unknown or expired id is thrown as a `not_found` ConnectError.
 */
export async function stop(options: StopOptions, transport: Transport): Promise<string> {
  const { stopped } = await createClient(TokenService, transport).stopStream({ streamId: options.streamId });
  return stopped ? `stopped the generation of ${options.streamId}\n` : `${options.streamId} had already ended: nothing to stop\n`;
}
