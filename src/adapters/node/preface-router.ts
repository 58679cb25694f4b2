import type * as http from "node:http";
import type * as http2 from "node:http2";
import type * as net from "node:net";

const preface = Buffer.from("PRI * HTTP/2.0\r\n\r\nSM\r\n\r\n");

/** Where {@link routeByPreface} sends a plain-text connection, and how long it waits to know. */
export interface PrefaceRoute {
  h1: http.Server;
  h2: http2.Http2Server;
  /** Time for the first bytes to tell the protocol; the socket is destroyed past it. 0 for no limit. */
  timeoutMs: number;
}

/**
 * Reads a plain-text connection's first bytes until they tell HTTP/2's
 * preface from anything else, puts them back, and hands the socket to the
 * HTTP/2 or the HTTP/1.1 server. At most the preface's 24 bytes are waited
 * for: any byte that departs from it decides HTTP/1.1, so what is held is
 * bounded by one read. A connection that sends nothing, or dribbles a prefix
 * of the preface, is destroyed after `timeoutMs`.
 */
export function routeByPreface(socket: net.Socket, route: PrefaceRoute): void {
  let head = Buffer.alloc(0);
  const timer = route.timeoutMs > 0 ? setTimeout(() => socket.destroy(), route.timeoutMs) : undefined;
  const onData = (chunk: Buffer) => {
    head = Buffer.concat([head, chunk]);
    const seen = Math.min(head.length, preface.length);
    const isH2 = head.subarray(0, seen).equals(preface.subarray(0, seen));
    if (isH2 && seen < preface.length) return; // a prefix of the preface: wait for more
    clearTimeout(timer);
    socket.off("data", onData);
    socket.pause();
    socket.unshift(head);
    // The HTTP/2 session takes the bytes put back and then reads the socket's handle itself;
    // the HTTP/1.1 parser reads through 'data' events, which flow again only on resume().
    if (isH2) return void route.h2.emit("connection", socket);
    route.h1.emit("connection", socket);
    socket.resume();
  };
  socket.on("data", onData);
  socket.once("close", () => clearTimeout(timer));
  socket.on("error", () => socket.destroy());
}
