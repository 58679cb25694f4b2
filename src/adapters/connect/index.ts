export { tokenwireRoutes, type TokenwireRoutesOptions } from "./tokenwire-routes.ts";
export type { ChatgptServiceOptions } from "./chatgpt-service.ts";
