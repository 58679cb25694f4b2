export { tokenwireFetchHandler, type FetchHandler, type TokenwireFetchHandlerOptions } from "./tokenwire-fetch-handler.ts";
export type { CorsOptions } from "../cors-headers.ts";
export type { RouterOptions } from "../router-options.ts";
