// tokenwire's standalone server: the one-port server with health, reflection, CORS and graceful shutdown.
export { createTokenwireServer, type TokenwireServer, type TokenwireServerOptions } from "./create-tokenwire-server.ts";
export { drainingInterceptor } from "./draining-interceptor.ts";
