import * as net from "node:net";
import * as tls from "node:tls";

/** A TCP (or TLS) connection to a server, with what it received and when it closed. */
export interface RawSocket {
  socket: net.Socket;
  /** Everything the server sent so far, as latin1 text. */
  received(): string;
  /** Resolves when the connection closed, from either side. */
  closed: Promise<void>;
  /** Whether the connection has closed. */
  isClosed(): boolean;
}

/** Options of {@link openSocket}: TLS with this CA and ALPN protocol, else plain TCP. */
export interface RawSocketOptions {
  tls?: { ca: Buffer; alpn: string };
}

/** Opens a connection to `baseUrl`'s host and port and resolves once it is connected (or the TLS handshake done). */
export async function openSocket(baseUrl: string, options: RawSocketOptions = {}): Promise<RawSocket> {
  const { hostname: host, port } = new URL(baseUrl);
  const socket = options.tls
    ? tls.connect({ host, port: Number(port), ca: options.tls.ca, ALPNProtocols: [options.tls.alpn] })
    : net.connect({ host, port: Number(port) });
  let text = "";
  let isClosed = false;
  socket.on("data", (chunk: Buffer) => (text += chunk.toString("latin1")));
  socket.on("error", () => {}); // a reset is a close like any other here
  const closed = new Promise<void>((resolve) =>
    socket.once("close", () => {
      isClosed = true;
      resolve();
    }),
  );
  await new Promise<void>((resolve, reject) => {
    socket.once(options.tls ? "secureConnect" : "connect", () => resolve());
    socket.once("close", () => reject(new Error("closed before it connected")));
  });
  return { socket, received: () => text, closed, isClosed: () => isClosed };
}

/**
 * Writes `text` one byte every `intervalMs` until all is sent or the
 * connection closes; resolves with the number of bytes written.
 */
export async function dribble(raw: RawSocket, text: string, intervalMs: number): Promise<number> {
  for (let sent = 0; sent < text.length; sent++) {
    if (raw.isClosed()) return sent;
    raw.socket.write(text[sent]!, "latin1");
    await new Promise((resolve) => setTimeout(resolve, intervalMs));
  }
  return text.length;
}
