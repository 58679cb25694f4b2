export { tokenwireFastifyPlugin, type TokenwireFastifyPluginOptions } from "./tokenwire-fastify-plugin.ts";
export type { RouterOptions } from "../router-options.ts";
