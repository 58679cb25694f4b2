import { createServer, request } from "node:http";
import type { AddressInfo } from "node:net";

/**
 * The floor of proxying chat completions: `POST /v1/chat/completions` passed
 * through to the upstream and its SSE piped back byte for byte, with no
 * parsing and no model client. A closed response closes the upstream request.
 */
export async function startSseProxy(upstreamUrl: string): Promise<number> {
  const upstream = new URL(`${upstreamUrl}/chat/completions`);
  const server = createServer((req, res) => {
    const forward = request(upstream, { method: "POST", headers: { "content-type": "application/json" } }, (reply) => {
      res.writeHead(reply.statusCode ?? 502, { "content-type": reply.headers["content-type"] ?? "text/event-stream" });
      reply.pipe(res);
    });
    res.once("close", () => res.writableFinished || forward.destroy());
    forward.once("error", () => res.destroy());
    req.pipe(forward);
  });
  server.keepAliveTimeout = 60_000;
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  return (server.address() as AddressInfo).port;
}
