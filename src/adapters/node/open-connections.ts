import type * as http2 from "node:http2";
import type * as net from "node:net";

// Set on each accepted socket, and on the TLS socket over it, so that a request's socket or an HTTP/2
// session's (a proxy that passes property reads on) finds its connection.
const connectionKey = Symbol("tokenwire.connection");

/** One accepted TCP connection of the one-port server. */
export interface Connection {
  readonly socket: net.Socket;
  /** The TLS socket over it, once the handshake is done. */
  tls?: net.Socket;
  /** Its HTTP/2 session, once it speaks HTTP/2. */
  session?: http2.ServerHttp2Session;
  /** HTTP/1.1 requests or HTTP/2 streams in flight. */
  active: number;
  idleTimer?: ReturnType<typeof setTimeout>;
}

/** The accepted connections, idle or busy, within a bound. */
export interface OpenConnections {
  /**
   * Takes a new socket. At the bound, the connection idle the longest is
   * closed to make room; when none is idle the new socket is destroyed and
   * `undefined` returned.
   */
  admit(socket: net.Socket): Connection | undefined;
  /** The connection of a socket, of the TLS socket over it, or of an HTTP/2 session's socket. */
  of(socket: object): Connection | undefined;
  /** Ties the TLS socket over an accepted socket to its connection. */
  addTls(tls: net.Socket): void;
  /** Ties an HTTP/2 session to its connection and counts its streams; it gets a GOAWAY once idle past `idleTimeoutMs`. */
  addSession(session: http2.ServerHttp2Session): void;
  /** A request or stream starts on the connection. */
  begin(connection: Connection): void;
  /** A request or stream ends on the connection. */
  end(connection: Connection): void;
  /** Destroys a connection at once. */
  destroy(connection: Connection): void;
  /** Every open connection. */
  all(): Connection[];
}

/**
 * Tracks the one-port server's connections: which are idle (no request or
 * stream in flight), which busy, in the order they became so, and closes
 * HTTP/2 sessions idle for `idleTimeoutMs` with a GOAWAY.
 */
export function openConnections(limits: { maxConnections: number; idleTimeoutMs: number }): OpenConnections {
  // Insertion order is the order in which connections became idle: the first is the one to close.
  const idle = new Set<Connection>();
  const busy = new Set<Connection>();
  const forget = (connection: Connection) => {
    clearTimeout(connection.idleTimer);
    idle.delete(connection);
    busy.delete(connection);
  };
  const becameIdle = (connection: Connection) => {
    busy.delete(connection);
    idle.add(connection);
    const session = connection.session;
    if (session && limits.idleTimeoutMs > 0) connection.idleTimer = setTimeout(() => session.close(), limits.idleTimeoutMs);
  };
  // Room for a new connection: forgotten at once, though an HTTP/2 session first sends its GOAWAY.
  const evict = (connection: Connection) => {
    forget(connection);
    if (connection.session) connection.session.close();
    else self.destroy(connection);
  };
  const isOpen = (connection: Connection) => idle.has(connection) || busy.has(connection);
  const self: OpenConnections = {
    admit(socket) {
      if (idle.size + busy.size >= limits.maxConnections) {
        const oldest = idle.values().next().value;
        if (!oldest) return void socket.destroy();
        evict(oldest);
      }
      const connection: Connection = { socket, active: 0 };
      Object.defineProperty(socket, connectionKey, { value: connection });
      socket.once("close", () => forget(connection));
      idle.add(connection);
      return connection;
    },
    of: (socket) => (socket as { [connectionKey]?: Connection })[connectionKey],
    addTls(tls) {
      // A server-side TLS socket keeps the socket it wraps as _parent (https://github.com/nodejs/node/blob/v24.x/lib/_tls_wrap.js).
      const connection = self.of((tls as { _parent?: object })._parent ?? {});
      if (!connection) return;
      connection.tls = tls;
      Object.defineProperty(tls, connectionKey, { value: connection });
      tls.once("close", () => forget(connection));
    },
    addSession(session) {
      const connection = self.of(session.socket);
      if (!connection) return;
      connection.session = session;
      session.on("stream", (stream: http2.ServerHttp2Stream) => {
        self.begin(connection);
        stream.once("close", () => self.end(connection));
      });
      if (connection.active === 0 && isOpen(connection)) becameIdle(connection);
    },
    begin(connection) {
      if (connection.active++ > 0 || !isOpen(connection)) return;
      clearTimeout(connection.idleTimer);
      idle.delete(connection);
      busy.add(connection);
    },
    end(connection) {
      if (--connection.active === 0 && isOpen(connection)) becameIdle(connection);
    },
    destroy(connection) {
      forget(connection);
      connection.session?.destroy();
      connection.tls?.destroy();
      connection.socket.destroy();
    },
    all: () => [...busy, ...idle],
  };
  return self;
}
