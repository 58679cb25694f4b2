export { tokenwireExpressMiddleware, type TokenwireExpressMiddlewareOptions } from "./tokenwire-express-middleware.ts";
export type { RouterOptions } from "../router-options.ts";
