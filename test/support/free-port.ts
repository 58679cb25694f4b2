import { createServer } from "node:net";

/** A loopback port the system has just handed out and released, for a server that takes a port number, not port 0. */
export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once("error", reject);
    server.listen(0, "127.0.0.1", () => {
      const { port } = server.address() as { port: number };
      server.close(() => resolve(port));
    });
  });
}

/** A loopback port nothing listens on, for a connection that must be refused: the port {@link freePort} released. */
export const closedPort = freePort;
