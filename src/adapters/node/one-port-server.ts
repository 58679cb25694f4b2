import { longestTimerMs } from "../../core/deadline.ts";
import * as http from "node:http";
import * as http2 from "node:http2";
import * as net from "node:net";
import type { connectNodeAdapter } from "@connectrpc/connect-node";
import { resolveConnectionLimits, type ConnectionLimits, type ResolvedConnectionLimits } from "./connection-limits.ts";
import { openConnections, type OpenConnections } from "./open-connections.ts";
import { routeByPreface } from "./preface-router.ts";

/** A request handler for both HTTP/1.1 and HTTP/2, as connect-node makes one. */
export type NodeHandler = ReturnType<typeof connectNodeAdapter>;

/** Options of {@link createOnePortServer}. */
export interface OnePortServerOptions extends ConnectionLimits {
  /** PEM certificate and key: serve TLS, with ALPN choosing HTTP/2 or HTTP/1.1. */
  tls?: { cert: string | Buffer; key: string | Buffer };
}

/** A server that speaks HTTP/1.1 and HTTP/2 on one port, with or without TLS. */
export interface OnePortServer {
  /** The listening socket's server: `listen`, `address`, `close`. */
  readonly net: net.Server;
  /** Closes every connection that has no request in flight (an HTTP/1.1 one after a moment for a request on its way), and stops new requests on the rest. */
  closeIdle(): void;
  /** Destroys every connection at once. */
  closeAll(): void;
}

/**
 * Serves one handler over HTTP/1.1 (browsers, Connect, gRPC-Web) and HTTP/2
 * (gRPC, Connect over h2) on one port. Without TLS, Node's HTTP/2 server has
 * no `allowHTTP1`, so each connection's first bytes are read: the HTTP/2
 * connection preface sends it to the HTTP/2 server, anything else to HTTP/1.1.
 * Connections are bounded in number and in the time they may take and idle
 * ({@link ConnectionLimits}); a request or stream in flight is never cut by these.
 */
export function createOnePortServer(handler: NodeHandler, options: OnePortServerOptions = {}): OnePortServer {
  const limits = resolveConnectionLimits(options);
  const connections = openConnections(limits);
  let draining = false;
  // HTTP/1.1 requests are counted here; HTTP/2 streams on their session (OpenConnections.addSession).
  const counted: NodeHandler = (req, res) => {
    const connection = req.httpVersionMajor === 1 ? connections.of(req.socket) : undefined;
    if (req.httpVersionMajor === 2) boundArrival(req as http2.Http2ServerRequest, limits.requestTimeoutMs);
    if (connection) {
      connections.begin(connection);
      res.once("close", () => connections.end(connection));
      if (draining) (res as http.ServerResponse).shouldKeepAlive = false;
    }
    return handler(req, res);
  };
  const h1Options = http1Options(limits);
  const h2 = options.tls
    ? http2.createSecureServer({ ...options.tls, allowHTTP1: true, handshakeTimeout: limits.headersTimeoutMs || longestTimerMs, ...h1Options }, counted)
    : http2.createServer(counted);
  // Before the HTTP/2 server's own listener, which makes the session from the TLS socket.
  if (options.tls) h2.prependListener("secureConnection", (tls: net.Socket) => connections.addTls(tls));
  h2.on("session", (session) => connections.addSession(session));
  const h1 = http.createServer(h1Options, counted);
  // http.createServer turns Nagle off on the sockets it accepts, but here net accepts them: without noDelay each
  // small message of a stream can wait for the peer's delayed ACK, about 40 ms on Linux.
  const server = net.createServer({ noDelay: true }, (socket) => {
    if (!connections.admit(socket)) return;
    if (options.tls) h2.emit("connection", socket);
    else routeByPreface(socket, { h1, h2, timeoutMs: limits.headersTimeoutMs });
  });
  checkHeadersTimeouts(server, [h1, h2]);
  return {
    net: server,
    closeIdle() {
      draining = true;
      closeIdle(connections, Math.min(limits.headersTimeoutMs || 1000, 1000));
    },
    closeAll() {
      for (const connection of connections.all()) connections.destroy(connection);
    },
  };
}

// Node's HTTP/1.1 limits: headersTimeout and requestTimeout (408), keepAliveTimeout between requests.
function http1Options(limits: ResolvedConnectionLimits): http.ServerOptions {
  return {
    headersTimeout: limits.headersTimeoutMs,
    // Node refuses a requestTimeout below headersTimeout: with both set, the longer one bounds the request.
    requestTimeout: limits.requestTimeoutMs && limits.headersTimeoutMs ? Math.max(limits.requestTimeoutMs, limits.headersTimeoutMs) : limits.requestTimeoutMs,
    keepAliveTimeout: limits.idleTimeoutMs,
    // How often Node looks for expired headers: half the limit, at most Node's own 30 s.
    connectionsCheckingInterval: limits.headersTimeoutMs > 0 ? Math.max(1, Math.min(30_000, Math.floor(limits.headersTimeoutMs / 2))) : 30_000,
  };
}

// Node bounds the time an HTTP/1.1 request takes to arrive (requestTimeout) but not an HTTP/2 stream's: a stream
// whose body never ends would hold its slot, and the handler waiting to read it, as long as the connection lives.
// Reading the body to its end clears the bound; a body nobody reads is cleared with its stream.
function boundArrival(req: http2.Http2ServerRequest, ms: number): void {
  if (ms === 0 || req.stream.destroyed) return;
  const timer = setTimeout(() => req.stream.close(http2.constants.NGHTTP2_CANCEL), ms);
  const clear = (): void => clearTimeout(timer);
  req.once("end", clear);
  req.stream.once("close", clear);
}

// Node checks headersTimeout and requestTimeout only from the moment a server emits 'listening'
// (setupConnectionsTracking in https://github.com/nodejs/node/blob/v24.x/lib/_http_server.js, and in
// lib/internal/http2/core.js for allowHTTP1): the HTTP/1.1 servers here are handed sockets and never listen,
// so they are told when the port does, and closed with it to stop their checks.
function checkHeadersTimeouts(server: net.Server, handedTo: net.Server[]): void {
  server.on("listening", () => handedTo.forEach((inner) => inner.emit("listening")));
  server.on("close", () => handedTo.forEach((inner) => inner.close()));
}

// HTTP/2 sessions get a GOAWAY and finish their streams; HTTP/1.1 connections with a request in flight close after it.
// An HTTP/2 session says GOAWAY and finishes its streams. An idle HTTP/1.1 connection may be one whose request is
// arriving (its headers not all in, so not yet counted): it gets a moment to become busy, and its request an answer
// (`connection: close`, and a 503 from a service that drains) rather than a reset.
function closeIdle(connections: OpenConnections, lingerMs: number): void {
  for (const connection of connections.all()) {
    if (connection.session) connection.session.close();
    else if (connection.active === 0) setTimeout(() => connection.active === 0 && connections.destroy(connection), lingerMs).unref();
  }
}
