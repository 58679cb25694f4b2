export { tokenwireFastifyPlugin, type TokenwireFastifyPluginOptions } from "./tokenwire-fastify-plugin.ts";
export type { RouterOptions } from "../router-options.ts";
export type { TokenwireInput } from "../../models/tokenwire-from.ts";
