import type { Tokenwire } from "../../core/tokenwire.ts";
import { fastifyConnectPlugin } from "@connectrpc/connect-fastify";
import type { FastifyPluginCallback } from "fastify";
import { connectOptionsFrom, type RouterOptions } from "../router-options.ts";
import { dropNodeDeadlineBeyondTimers } from "../deadline-header.ts";

/** Options of {@link tokenwireFastifyPlugin}. */
export interface TokenwireFastifyPluginOptions extends RouterOptions {
  /** On `fastify.close()`, milliseconds that streams in flight may go on before they are ended; default: they are not waited for. */
  shutdownTimeoutMs?: number;
}

/**
 * A Fastify plugin serving tokenwire over Connect, gRPC-Web and, on a server
 * created with `http2: true`, gRPC, through connect-fastify:
 * `await app.register(tokenwireFastifyPlugin(tokenwire))`.
 */
export function tokenwireFastifyPlugin(tokenwire: Tokenwire, options: TokenwireFastifyPluginOptions = {}): FastifyPluginCallback {
  const connectOptions = { ...connectOptionsFrom(tokenwire, options), shutdownTimeoutMs: options.shutdownTimeoutMs };
  return (instance, _options, done) => {
    // connect-fastify reads the raw request's headers: the deadline goes from there, for this plugin's routes alone.
    instance.addHook("onRequest", (request, _reply, next) => {
      dropNodeDeadlineBeyondTimers(request.raw.headers);
      next();
    });
    fastifyConnectPlugin(instance, connectOptions, done);
  };
}
