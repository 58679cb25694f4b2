import * as http2 from "node:http2";
import { describe, expect, it } from "vitest";
import { Code, createClient } from "@connectrpc/connect";
import { TokenService } from "../../gen/tokenwire/v1/token_service_pb.js";
import { transportsTo, useTokenwireServer } from "../support/tokenwire-test-server.ts";
import { failureOf } from "../support/read-stream.ts";
import { grpcFrame, grpcStreamTokensHeaders } from "../support/grpc-frame.ts";
import { ask as prompt } from "../support/ask.ts";

const test = useTokenwireServer();

describe("createTokenwireServer() cancellation", () => {
  describe.each(transportsTo(() => test.current.baseUrl))("over %s", (_, transport) => {
    it("should close the upstream connection when the client cancels", async () => {
      const client = createClient(TokenService, transport());
      const arrived = test.current.upstream.nextRequest();
      const controller = new AbortController();
      const { code } = await failureOf(client.streamTokens(prompt("paced-50"), { signal: controller.signal }), (response) => response.event.case === "delta" && controller.abort());
      expect(code).toBe(Code.Canceled);
      expect(await (await arrived).ended).toBe("client-closed");
    });

    it("should end a stream past its deadline with deadline_exceeded and close the upstream connection", async () => {
      const client = createClient(TokenService, transport({ defaultTimeoutMs: 300 }));
      const arrived = test.current.upstream.nextRequest();
      expect((await failureOf(client.streamTokens(prompt("stall-after-3")))).code).toBe(Code.DeadlineExceeded);
      expect(await (await arrived).ended).toBe("client-closed");
    });
  });

  it("should honour a per-call timeoutMs sent as connect-timeout-ms", async () => {
    const [, transport] = transportsTo(() => test.current.baseUrl)[0]!;
    const client = createClient(TokenService, transport());
    const arrived = test.current.upstream.nextRequest();
    expect((await failureOf(client.streamTokens(prompt("stall-after-3"), { timeoutMs: 300 }))).code).toBe(Code.DeadlineExceeded);
    expect(await (await arrived).clientClosed).toBeUndefined();
  });

  it("should close the upstream connection when a client that stopped reading goes away", async () => {
    const session = http2.connect(test.current.baseUrl);
    const arrived = test.current.upstream.nextRequest();
    const stream = session.request(grpcStreamTokensHeaders);
    stream.end(grpcFrame(prompt("long-200000")));
    // Read the first bytes, then never again: the handler parks on a full flow-control window.
    await new Promise((resolve) => stream.once("data", resolve));
    stream.pause();
    const request = await arrived;
    await untilStill(() => request.tokensSent);
    session.destroy();
    expect(await request.ended).toBe("client-closed");
    expect(request.tokensSent).toBeLessThan(200_000);
  });
});

// Waits until a counter stops moving: the upstream is then held back by the parked handler.
async function untilStill(read: () => number): Promise<void> {
  for (let last = -1; read() !== last; ) {
    last = read();
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
}
