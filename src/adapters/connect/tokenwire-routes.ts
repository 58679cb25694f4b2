import type { Tokenwire } from "../../core/tokenwire.ts";
import type { ConnectRouter } from "@connectrpc/connect";
import { Chatgpt } from "../../../gen/openai/chatgpt_pb.js";
import { TokenService } from "../../../gen/tokenwire/v1/token_service_pb.js";
import { chatgptServiceImpl, type ChatgptServiceOptions } from "./chatgpt-service.ts";
import { tokenServiceImpl } from "./token-service.ts";

/** Options of {@link tokenwireRoutes}. */
export interface TokenwireRoutesOptions {
  /** Options of the seed-compatible `openai.Chatgpt` service; `false` leaves it out. */
  chatgpt?: ChatgptServiceOptions | false;
}

/**
 * Registers `tokenwire.v1.TokenService` and `openai.Chatgpt` on a Connect
 * router, so every RPC answers Connect, gRPC and gRPC-Web.
 */
export function tokenwireRoutes(tokenwire: Tokenwire, options: TokenwireRoutesOptions = {}) {
  return (router: ConnectRouter): void => {
    router.service(TokenService, tokenServiceImpl(tokenwire));
    if (options.chatgpt !== false) router.service(Chatgpt, chatgptServiceImpl(tokenwire, options.chatgpt || {}));
  };
}
