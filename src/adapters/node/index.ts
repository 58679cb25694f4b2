export { tokenwireNodeHandler, type TokenwireNodeHandlerOptions } from "./tokenwire-node-handler.ts";
export { createOnePortServer, type OnePortServer, type OnePortServerOptions, type NodeHandler } from "./one-port-server.ts";
export { withCors } from "./with-cors.ts";
export { defaultMaxConnections, type ConnectionLimits } from "./connection-limits.ts";
export type { CorsOptions } from "../cors-headers.ts";
