import * as http from "node:http";
import * as http2 from "node:http2";
import * as net from "node:net";
import type { connectNodeAdapter } from "@connectrpc/connect-node";

/** A request handler for both HTTP/1.1 and HTTP/2, as connect-node makes one. */
export type NodeHandler = ReturnType<typeof connectNodeAdapter>;

const preface = Buffer.from("PRI * HTTP/2.0\r\n\r\nSM\r\n\r\n");

/** Options of {@link createOnePortServer}. */
export interface OnePortServerOptions {
  /** PEM certificate and key: serve TLS, with ALPN choosing HTTP/2 or HTTP/1.1. */
  tls?: { cert: string | Buffer; key: string | Buffer };
}

/** A server that speaks HTTP/1.1 and HTTP/2 on one port, with or without TLS. */
export interface OnePortServer {
  /** The listening socket's server: `listen`, `address`, `close`. */
  readonly net: net.Server;
  /** Closes every connection that has no request in flight, and stops new requests on the rest. */
  closeIdle(): void;
  /** Destroys every connection at once. */
  closeAll(): void;
}

/**
 * Serves one handler over HTTP/1.1 (browsers, Connect, gRPC-Web) and HTTP/2
 * (gRPC, Connect over h2) on one port. Without TLS, Node's HTTP/2 server has
 * no `allowHTTP1`, so each connection's first bytes are read: the HTTP/2
 * connection preface sends it to the HTTP/2 server, anything else to HTTP/1.1.
 */
export function createOnePortServer(handler: NodeHandler, options: OnePortServerOptions = {}): OnePortServer {
  const sessions = new Set<http2.ServerHttp2Session>();
  const h2 = options.tls ? http2.createSecureServer({ ...options.tls, allowHTTP1: true }, handler) : http2.createServer(handler);
  h2.on("session", (session) => {
    sessions.add(session);
    session.once("close", () => sessions.delete(session));
  });
  const h1 = trackHttp1(handler);
  // http.createServer turns Nagle off on the sockets it accepts, but here net accepts them: without noDelay each
  // small message of a stream can wait for the peer's delayed ACK, about 40 ms on Linux.
  const accept = { noDelay: true };
  const server = options.tls
    ? net.createServer(accept, (socket) => h2.emit("connection", socket))
    : net.createServer(accept, (socket) => route(socket, h1.server, h2));
  return {
    net: server,
    closeIdle() {
      h1.closeIdle();
      for (const session of sessions) session.close(); // sends GOAWAY; streams in flight go on
    },
    closeAll() {
      h1.closeAll();
      for (const session of sessions) session.destroy();
    },
  };
}

// An HTTP/1.1 server that is handed sockets never listens, so Node does not track its connections and
// its closeIdleConnections() finds none: count each socket's requests in flight here instead.
function trackHttp1(handler: NodeHandler) {
  const inFlight = new Map<net.Socket, number>();
  let draining = false;
  const server = http.createServer((req, res) => {
    const socket = req.socket;
    inFlight.set(socket, (inFlight.get(socket) ?? 0) + 1);
    if (draining) res.shouldKeepAlive = false;
    res.once("close", () => inFlight.set(socket, inFlight.get(socket)! - 1));
    return handler(req, res);
  });
  server.on("connection", (socket: net.Socket) => {
    inFlight.set(socket, 0);
    socket.once("close", () => inFlight.delete(socket));
  });
  return {
    server,
    /** Closes keep-alive connections with no request in flight; the others close after their response. */
    closeIdle() {
      draining = true;
      for (const [socket, requests] of inFlight) if (requests === 0) socket.destroy();
    },
    closeAll() {
      for (const socket of inFlight.keys()) socket.destroy();
    },
  };
}

// Reads until the first bytes tell HTTP/2's preface from anything else, puts them back, and hands the socket over.
function route(socket: net.Socket, h1: http.Server, h2: http2.Http2Server): void {
  let head = Buffer.alloc(0);
  const onData = (chunk: Buffer) => {
    head = Buffer.concat([head, chunk]);
    const seen = Math.min(head.length, preface.length);
    const isH2 = head.subarray(0, seen).equals(preface.subarray(0, seen));
    if (isH2 && seen < preface.length) return; // a prefix of the preface: wait for more
    socket.off("data", onData);
    socket.pause();
    socket.unshift(head);
    // The HTTP/2 session takes the bytes put back and then reads the socket's handle itself;
    // the HTTP/1.1 parser reads through 'data' events, which flow again only on resume().
    if (isH2) return void h2.emit("connection", socket);
    h1.emit("connection", socket);
    socket.resume();
  };
  socket.on("data", onData);
  socket.on("error", () => socket.destroy());
}
