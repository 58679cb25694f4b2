import type { AddressInfo } from "node:net";
import type { ConnectRouter } from "@connectrpc/connect";
import { errors } from "../core/errors.ts";
import { createTokenwire, type Tokenwire, type TokenwireOptions } from "../core/tokenwire.ts";
import { createOnePortServer, type OnePortServerOptions, type NodeHandler } from "../adapters/node/one-port-server.ts";
import { tokenwireNodeHandler, type TokenwireNodeHandlerOptions } from "../adapters/node/tokenwire-node-handler.ts";
import { createHealthStatus, type HealthStatus } from "../adapters/connect/health-status.ts";
import { healthRoutes, type HealthRoutesOptions } from "../adapters/connect/health-service.ts";
import { reflectionRoutes } from "../adapters/connect/reflection-service.ts";
import { HealthCheckResponse_ServingStatus as ServingStatus } from "../../gen/health/v1/health_pb.js";
import { trackRequests } from "./request-tracker.ts";
import { withCors } from "../adapters/node/with-cors.ts";
import type { CorsOptions } from "../adapters/cors-headers.ts";
import { tokenwireOpenAIHandler, type OpenAIRoutesOptions } from "../adapters/openai/index.ts";
import { tokenwireUIMessageHandler, type UIMessageRoutesOptions } from "../adapters/ai-sdk/index.ts";
import { tokenwireResponsesHandler } from "../adapters/openai-responses/index.ts";
import { createTokenwireMetrics, type TokenwireMetrics, type TokenwireMetricsOptions } from "./tokenwire-metrics.ts";

/** Options of {@link createTokenwireServer}. */
export interface TokenwireServerOptions extends Omit<TokenwireOptions, "signal">, Omit<TokenwireNodeHandlerOptions, "fallback" | "highWaterMark">, OnePortServerOptions {
  /** Serves what no RPC matches (after `GET /healthz`); default 404. */
  fallback?: NodeHandler;
  /** Browser origins allowed to call; default same-origin only. */
  cors?: CorsOptions;
  /** `grpc.health.v1.Health/Watch` calls open at once; more get `resource_exhausted`. Default 1024. */
  maxHealthWatches?: number;
  /**
   * OpenAI's chat-completions API (`POST /v1/chat/completions`, `GET /v1/models`) and its Responses API
   * (`/v1/responses`) on the same port, both under its `basePath`; `false` leaves them out.
   */
  openAI?: OpenAIRoutesOptions | false;
  /** The AI SDK's UI message stream for `useChat` (`POST /api/chat`) on the same port; `false` leaves it out. */
  uiMessages?: UIMessageRoutesOptions | false;
  /** Prometheus metrics at `GET /metrics` on the same port; `false` leaves them out. */
  metrics?: TokenwireMetricsOptions | false;
}

/** A tokenwire server, not yet listening. */
export interface TokenwireServer {
  readonly tokenwire: Tokenwire;
  /** What `grpc.health.v1.Health` reports, and `GET /healthz` for the server as a whole. */
  readonly health: HealthStatus;
  /** The metrics `GET /metrics` serves, unless left out. */
  readonly metrics: TokenwireMetrics | undefined;
  /** Starts listening; resolves with the bound address. */
  listen(port?: number, host?: string): Promise<AddressInfo>;
  /**
   * Reports not serving and drains the service ({@link Tokenwire.drain}): new
   * streams are refused with `unavailable` on every wire at once, while the
   * models and health go on answering; streams in flight finish for
   * `graceMs`, then end `unavailable`, and every connection is closed.
   * Calling it again joins the first call.
   */
  shutdown(graceMs?: number): Promise<void>;
}

/**
 * Creates tokenwire's one-port server: Connect, gRPC and gRPC-Web over
 * HTTP/1.1 and HTTP/2, gRPC health checking and reflection, and `GET /healthz`.
 */
export function createTokenwireServer(options: TokenwireServerOptions): TokenwireServer {
  const stopping = new AbortController(); // ends the health watches
  const health = createHealthStatus();
  const metrics = options.metrics === false ? undefined : createTokenwireMetrics({ models: () => tokenwire.models.models, ...options.metrics });
  const observers = [...(metrics ? [metrics.observer] : []), ...(options.observers ?? [])];
  const tokenwire = createTokenwire({ ...options, observers });
  const isDraining = () => health.get("") !== ServingStatus.SERVING;
  const pages = healthzOr(options.fallback, isDraining);
  const requests = trackRequests(
    tokenwireNodeHandler(tokenwire, {
      ...options,
      routes: (router) => addRoutes(router, { health, signal: stopping.signal, maxWatches: options.maxHealthWatches, more: options.routes }),
      interceptors: options.interceptors,
      highWaterMark: options.limits?.highWaterMark,
      fallback: dialectsOr(tokenwire, { ...options, fallback: metrics ? metrics.handler(pages) : pages }),
    }),
  );
  const server = createOnePortServer(withCors(requests.handler, options.cors), options);
  let stopped: Promise<void> | undefined;
  const stop = async (graceMs: number) => {
    health.setAll(ServingStatus.NOT_SERVING);
    server.closeIdle();
    await tokenwire.drain(graceMs);
    stopping.abort(errors.shuttingDown());
    const closed = new Promise<void>((resolve) => server.net.close(() => resolve()));
    await requests.idle(1000); // let the streams just ended send their status
    server.closeAll();
    await closed;
  };
  return {
    tokenwire,
    health,
    metrics,
    listen(port = 0, host = "127.0.0.1") {
      return new Promise((resolve, reject) => {
        server.net.once("error", reject);
        server.net.listen(port, host, () => resolve(server.net.address() as AddressInfo));
      });
    },
    shutdown: (graceMs = 10_000) => (stopped ??= stop(graceMs)),
  };
}

function addRoutes(router: ConnectRouter, options: HealthRoutesOptions & { health: HealthStatus; more?: (router: ConnectRouter) => void }): void {
  const { health, more, ...watches } = options;
  more?.(router);
  reflectionRoutes()(router);
  healthRoutes(health, watches)(router);
}

// The web's dialects beside Connect: what neither serves goes on to /healthz and the embedder's fallback. They take
// the same read limit, CORS origins and logger as the RPCs.
function dialectsOr(tokenwire: Tokenwire, options: TokenwireServerOptions & { fallback: NodeHandler }): NodeHandler {
  const { openAI, uiMessages, fallback, readMaxBytes, cors, logger } = options;
  const shared = { readMaxBytes, cors, logger };
  const chat = uiMessages === false ? fallback : tokenwireUIMessageHandler(tokenwire, { ...uiMessages, ...shared, fallback });
  if (openAI === false) return chat;
  // The Responses API first: the rest of the base path is the chat completions' handler's, 404s included.
  const completions = tokenwireOpenAIHandler(tokenwire, { ...openAI, ...shared, fallback: chat });
  return tokenwireResponsesHandler(tokenwire, { basePath: openAI?.basePath, ...shared, fallback: completions });
}

function healthzOr(fallback: NodeHandler | undefined, isDraining: () => boolean): NodeHandler {
  return (req, res) => {
    if (req.url === "/healthz" && (req.method === "GET" || req.method === "HEAD")) {
      // 503 from the first moment of a shutdown, so a load balancer stops sending before the streams end.
      res.writeHead(isDraining() ? 503 : 200, { "content-type": "text/plain" });
      res.end(isDraining() ? "stopping\n" : "ok\n");
      return;
    }
    if (fallback) return fallback(req, res);
    res.writeHead(404, { "content-type": "text/plain" });
    res.end("not found\n");
  };
}
