import { afterEach, describe, expect, it } from "vitest";
import { Code, ConnectError, createClient } from "@connectrpc/connect";
import { createGrpcTransport } from "@connectrpc/connect-node";
import { TokenService } from "../../gen/tokenwire/v1/token_service_pb.js";
import { Health, HealthCheckResponse_ServingStatus as ServingStatus } from "../../gen/health/v1/health_pb.js";
import { defaultTokens } from "../fixtures/fake-openai.ts";
import { startTokenwireServer, transportsTo, type TestServer } from "../support/tokenwire-test-server.ts";
import { wiresOf } from "../support/wires.ts";
import { openSocket } from "../support/raw-socket.ts";
import { readAll } from "../support/read-stream.ts";
import { ask } from "../support/ask.ts";

let test: TestServer;
afterEach(() => test.close());

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
    await expect(readAll(createClient(TokenService, transport).streamTokens(ask("gpt-test")))).rejects.toMatchObject({ code: Code.Unavailable });
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

describe("Tokenwire.drain() through TokenwireServer.shutdown()", () => {
  it("should refuse a new stream on every wire with unavailable, and keep the models answering on every wire", async () => {
    test = await startTokenwireServer();
    const { ended: inFlight } = await streamInFlight("paced-50");
    const stopped = test.server.shutdown(20_000);
    for (const wire of wiresOf(() => test)) {
      for (const mode of wire.modes) expect(`${wire.name}, ${mode}: ${await wire.run("no key", mode)}`).toBe(`${wire.name}, ${mode}: unavailable`);
    }
    // The HTTP routes say when to try again: another replica answers at once.
    const refused = await fetch(`${test.baseUrl}/v1/chat/completions`, { method: "POST", headers: { "content-type": "application/json" }, body: JSON.stringify({ model: "gpt-test", messages: [{ role: "user", content: "hi" }] }) });
    expect([refused.status, refused.headers.get("retry-after")]).toEqual([503, "1"]);
    for (const [name, transport] of transportsTo(() => test.baseUrl)) {
      expect(`${name}: ${(await createClient(TokenService, transport()).listModels({})).defaultModel}`).toBe(`${name}: gpt-test`);
    }
    const models = await fetch(`${test.baseUrl}/v1/models`);
    expect([models.status, ((await models.json()) as { data: { id: string }[] }).data.map((m) => m.id)]).toEqual([200, ["gpt-test"]]);
    expect((await inFlight).code).toBeUndefined();
    await stopped;
  });
});

describe("TokenwireServer.shutdown() and a request on its way", () => {
  it("should answer a request whose headers were arriving as the shutdown began with 503, not a reset", async () => {
    test = await startTokenwireServer();
    const { ended: inFlight } = await streamInFlight("paced-50");
    const raw = await openSocket(test.baseUrl);
    const body = JSON.stringify({ model: "gpt-test", messages: [{ role: "user", content: "hi" }] });
    raw.socket.write("POST /v1/chat/completions HTTP/1.1\r\nHost: 127.0.0.1\r\n");
    const stopped = test.server.shutdown(20_000);
    raw.socket.write(`content-type: application/json\r\ncontent-length: ${Buffer.byteLength(body)}\r\n\r\n${body}`);
    await raw.closed;
    expect(raw.received()).toMatch(/^HTTP\/1\.1 503 /);
    expect(raw.received()).toMatch(/\r\nconnection: close\r\n/i);
    expect((await inFlight).code).toBeUndefined();
    await stopped;
  });
});
