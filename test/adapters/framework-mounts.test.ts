import type { AddressInfo } from "node:net";
import type { Server } from "node:http";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { Code, ConnectError, createClient, type Transport } from "@connectrpc/connect";
import { createConnectTransport, createGrpcTransport, createGrpcWebTransport } from "@connectrpc/connect-node";
import express from "express";
import Fastify from "fastify";
import { TokenService } from "../../gen/tokenwire/v1/token_service_pb.js";
import { tokenwireExpressMiddleware } from "../../src/adapters/express/tokenwire-express-middleware.ts";
import { tokenwireFastifyPlugin } from "../../src/adapters/fastify/tokenwire-fastify-plugin.ts";
import { createTokenwire } from "../../src/core/tokenwire.ts";
import { createModelCatalog } from "../../src/models/model-catalog.ts";
import { openAIModelFactory } from "../../src/models/openai-model.ts";
import { defaultTokens, startFakeOpenAI, type FakeOpenAI } from "../fixtures/fake-openai.ts";
import { ask } from "../support/ask.ts";
import { holdStream } from "../support/hold-stream.ts";
import { readAll } from "../support/read-stream.ts";
import { deltaTextOf } from "../support/stream-text.ts";

// The framework mounts answer server-streaming calls with the frame sinks of the one-port server: under a path
// prefix, with a client that goes away stopping the model, and with Fastify's close ending the streams in flight.
let upstream: FakeOpenAI;
let expressServer: Server;
let expressUrl: string;
let fastifyUrl: string;
let fastify: ReturnType<typeof Fastify>;
const tokenwire = () =>
  createTokenwire({ resolve: createModelCatalog({ defaultModel: "gpt-test", createModel: openAIModelFactory({ apiKey: "test", baseURL: upstream.url, maxRetries: 0 }) }) });

beforeAll(async () => {
  upstream = await startFakeOpenAI();
  const app = express();
  app.use(tokenwireExpressMiddleware(tokenwire(), { requestPathPrefix: "/api" }));
  expressServer = await new Promise<Server>((resolve) => {
    const server = app.listen(0, "127.0.0.1", () => resolve(server));
  });
  expressUrl = `http://127.0.0.1:${(expressServer.address() as AddressInfo).port}`;
  fastify = Fastify({ http2: true });
  await fastify.register(tokenwireFastifyPlugin(tokenwire(), { shutdownTimeoutMs: 0 }), { prefix: "/rpc" });
  fastifyUrl = await fastify.listen({ port: 0, host: "127.0.0.1" });
});

afterAll(async () => {
  await new Promise((resolve) => expressServer?.close(resolve));
  await fastify?.close();
  await upstream?.close();
});

const transports: [string, () => Transport][] = [
  ["Express under /api, Connect over HTTP/1.1", () => createConnectTransport({ baseUrl: `${expressUrl}/api`, httpVersion: "1.1" })],
  ["Express under /api, gRPC-Web", () => createGrpcWebTransport({ baseUrl: `${expressUrl}/api`, httpVersion: "1.1" })],
  ["Fastify under /rpc, gRPC", () => createGrpcTransport({ baseUrl: `${fastifyUrl}/rpc` })],
  ["Fastify under /rpc, Connect over HTTP/2, JSON", () => createConnectTransport({ baseUrl: `${fastifyUrl}/rpc`, httpVersion: "2", useBinaryFormat: false })],
];

describe.each(transports)("%s", (_name, transport) => {
  it("should stream the model's reply", async () => {
    expect(deltaTextOf(await readAll(createClient(TokenService, transport()).streamTokens(ask())))).toBe(defaultTokens.join(""));
  });

  it("should close the upstream request when the client goes away", async () => {
    const held = await holdStream(createClient(TokenService, transport()));
    const request = upstream.requests.at(-1)!;
    await held.release();
    await expect(request.clientClosed).resolves.toBeUndefined();
  });
});

describe("Fastify's close, with shutdownTimeoutMs", () => {
  it("should end a stream in flight as unavailable, and close its upstream request", async () => {
    const responses = createClient(TokenService, createGrpcTransport({ baseUrl: `${fastifyUrl}/rpc` })).streamTokens(ask("stall-after-3"))[Symbol.asyncIterator]();
    while ((await responses.next()).value?.event.case !== "delta");
    const request = upstream.requests.at(-1)!;
    const closing = fastify.close();
    const rest = (async () => {
      for (let next = await responses.next(); !next.done; next = await responses.next());
    })();
    await expect(rest).rejects.toSatisfy((error) => ConnectError.from(error).code === Code.Unavailable);
    await expect(request.clientClosed).resolves.toBeUndefined();
    await closing;
  });
});
