import type { Tokenwire } from "../../core/tokenwire.ts";
import { fastifyConnectPlugin } from "@connectrpc/connect-fastify";
import type { FastifyPluginCallback } from "fastify";
import { connectOptionsFrom, type RouterOptions } from "../router-options.ts";
import { dropNodeDeadlineBeyondTimers } from "../deadline-header.ts";
import { createRpcStreamHandler } from "../rpc-stream/rpc-stream-handler.ts";

/** Options of {@link tokenwireFastifyPlugin}. */
export interface TokenwireFastifyPluginOptions extends RouterOptions {
  /** On `fastify.close()`, milliseconds that streams in flight may go on before they are ended; default: they are not waited for. */
  shutdownTimeoutMs?: number;
  /** Characters of unsent text per stream before the model is held back; default 64 Ki. */
  highWaterMark?: number;
}

/**
 * A Fastify plugin serving tokenwire over Connect, gRPC-Web and, on a server
 * created with `http2: true`, gRPC: `await app.register(tokenwireFastifyPlugin(tokenwire))`.
 * Without interceptors, the server-streaming calls are answered by a frame
 * sink per call, as on the one-port server; the rest goes through
 * connect-fastify.
 */
export function tokenwireFastifyPlugin(tokenwire: Tokenwire, options: TokenwireFastifyPluginOptions = {}): FastifyPluginCallback {
  const connectOptions = { ...connectOptionsFrom(tokenwire, options), shutdownTimeoutMs: options.shutdownTimeoutMs };
  return (instance, _options, done) => {
    const shutdown = new AbortController();
    const streams = options.interceptors?.length ? undefined : createRpcStreamHandler(tokenwire, { ...options, requestPathPrefix: instance.prefix, shutdownSignal: shutdown.signal });
    if (options.shutdownTimeoutMs !== undefined) instance.addHook("preClose", (next) => (setTimeout(() => shutdown.abort(), options.shutdownTimeoutMs).unref(), next()));
    // connect-fastify reads the raw request's headers: the deadline goes from there, for this plugin's routes alone.
    // A call the frame sinks answer leaves Fastify's lifecycle: the hooks after this one and the route never run.
    instance.addHook("onRequest", (request, reply, next) => {
      dropNodeDeadlineBeyondTimers(request.raw.headers);
      if (streams?.(request.raw, reply.raw)) reply.hijack();
      next();
    });
    fastifyConnectPlugin(instance, connectOptions, done);
  };
}
