import type { Tokenwire } from "../core/tokenwire.ts";
import type { ConnectRouter, Interceptor } from "@connectrpc/connect";
import { tokenwireRoutes, type TokenwireRoutesOptions } from "./connect/tokenwire-routes.ts";

/** Options that every framework adapter passes on to Connect's router. */
export interface RouterOptions extends TokenwireRoutesOptions {
  /** Largest request message in bytes; larger ones get `resource_exhausted`. Default 1 MiB. */
  readMaxBytes?: number;
  /** More routes on the same router: health, reflection, your own services. */
  routes?: (router: ConnectRouter) => void;
  /**
   * Connect interceptors, which see every call: with any, the one-port
   * server's streaming calls go through connect-node's pipeline too, instead
   * of the frame sinks, at several times the CPU per message.
   */
  interceptors?: Interceptor[];
}

/** The options of a Connect adapter (connect-express, connect-fastify, the router) that serve tokenwire and the embedder's routes. */
export function connectOptionsFrom(tokenwire: Tokenwire, options: RouterOptions) {
  return {
    routes(router: ConnectRouter) {
      tokenwireRoutes(tokenwire, options)(router);
      options.routes?.(router);
    },
    readMaxBytes: options.readMaxBytes ?? 1024 * 1024,
    interceptors: options.interceptors,
  };
}
