import { afterEach, describe, expect, it } from "vitest";
import { Code, ConnectError, createClient } from "@connectrpc/connect";
import { createGrpcTransport } from "@connectrpc/connect-node";
import { TokenService } from "../../gen/tokenwire/v1/token_service_pb.js";
import { Health, HealthCheckResponse_ServingStatus as ServingStatus } from "../../gen/health/v1/health_pb.js";
import { defaultTokens } from "../fixtures/fake-openai.ts";
import { startTokenwireServer, type TestServer } from "./tokenwire-test-server.ts";

let test: TestServer;
afterEach(() => test.close());
const ask = (model: string) => ({ generation: { model, input: { case: "prompt" as const, value: "hi" } } });

/** Starts a stream, waits for its started event, and returns (in an object, so as not to wait for it) how it ends. */
async function streamInFlight(model: string) {
  const events = createClient(TokenService, createGrpcTransport({ baseUrl: test.baseUrl })).streamTokens(ask(model))[Symbol.asyncIterator]();
  let text = "";
  const read = async () => {
    for (let next = await events.next(); !next.done; next = await events.next()) {
      if (next.value.event.case === "delta") text += next.value.event.value.text;
    }
  };
  while ((await events.next()).value?.event.case !== "started");
  return {
    ended: read().then(
      () => ({ text, code: undefined }),
      (reason) => ({ text, code: ConnectError.from(reason).code }),
    ),
  };
}

describe("TokenwireServer.shutdown()", () => {
  it("should let a stream in flight finish within the grace period, while refusing new work and reporting not serving", async () => {
    test = await startTokenwireServer();
    const { ended: inFlight } = await streamInFlight("paced-50");
    const stopped = test.server.shutdown(20_000);
    const healthz = await fetch(`${test.baseUrl}/healthz`);
    expect(healthz.status).toBe(503);
    const transport = createGrpcTransport({ baseUrl: test.baseUrl });
    expect((await createClient(Health, transport).check({})).status).toBe(ServingStatus.NOT_SERVING);
    await expect(async () => {
      for await (const _ of createClient(TokenService, transport).streamTokens(ask("gpt-test")));
    }).rejects.toMatchObject({ code: Code.Unavailable });
    expect(await inFlight).toEqual({ text: defaultTokens.join(""), code: undefined });
    await stopped;
  });

  it("should end a stream still open after the grace period with unavailable and close its upstream connection", async () => {
    test = await startTokenwireServer();
    const arrived = test.upstream.nextRequest();
    const { ended: inFlight } = await streamInFlight("stall-after-3");
    await test.server.shutdown(50);
    expect((await inFlight).code).toBe(Code.Unavailable);
    expect(await (await arrived).ended).toBe("client-closed");
  });

  it("should answer /healthz with 200 while serving", async () => {
    test = await startTokenwireServer();
    const response = await fetch(`${test.baseUrl}/healthz`);
    expect([response.status, await response.text()]).toEqual([200, "ok\n"]);
  });
});
