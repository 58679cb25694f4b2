import { createServer as createHttp1Server } from "node:http";
import { createServer as createHttp2Server } from "node:http2";
import type { AddressInfo } from "node:net";
import type { ServiceImpl } from "@connectrpc/connect";
import { connectNodeAdapter } from "@connectrpc/connect-node";
import { TokenService } from "../../gen/tokenwire/v1/token_service_pb.js";
import { bytesFloorStream } from "./bytes-floor.ts";

/**
 * The wire's floor: `StreamTokens` served by connect-node alone, each token
 * of the physical floor's reader (fetch, SSE parsed by hand) sent as one
 * delta message, with no LangChain and no tokenwire. What it costs over the
 * physical floor is what connect-node and HTTP/2 cost for the same messages.
 * With `http1`, the same over HTTP/1.1 (Connect's and gRPC-Web's wire).
 */
export async function startWireFloor(upstreamUrl: string, http1 = false): Promise<number> {
  const read = bytesFloorStream(upstreamUrl);
  const service: Partial<ServiceImpl<typeof TokenService>> = {
    async *streamTokens(request, context) {
      let sequence = 0n;
      for await (const text of read(request.generation?.model ?? "", context.signal)) {
        yield { sequence: sequence++, event: { case: "delta", value: { text } } };
      }
    },
  };
  const handler = connectNodeAdapter({ routes: (router) => router.service(TokenService, service) });
  const server = http1 ? createHttp1Server(handler) : createHttp2Server(handler);
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  return (server.address() as AddressInfo).port;
}
