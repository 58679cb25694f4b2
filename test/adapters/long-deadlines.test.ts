import type { AddressInfo } from "node:net";
import type { Server } from "node:http";
import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest";
import { Code, createClient, type Transport } from "@connectrpc/connect";
import { createConnectTransport as createFetchConnectTransport } from "@connectrpc/connect-web";
import { createConnectTransport, createGrpcTransport, createGrpcWebTransport } from "@connectrpc/connect-node";
import express from "express";
import Fastify from "fastify";
import { HumanMessage } from "@langchain/core/messages";
import { TokenService } from "../../gen/tokenwire/v1/token_service_pb.js";
import { tokenwireExpressMiddleware } from "../../src/adapters/express/tokenwire-express-middleware.ts";
import { tokenwireFastifyPlugin } from "../../src/adapters/fastify/tokenwire-fastify-plugin.ts";
import { tokenwireFetchHandler } from "../../src/adapters/fetch/tokenwire-fetch-handler.ts";
import { tokenwireFrom } from "../../src/models/tokenwire-from.ts";
import { LocalChatModel, localReply } from "../../src/models/local-chat-model.ts";
import { readAll } from "../support/read-stream.ts";
import { deltaTextOf } from "../support/stream-text.ts";
import { useProcessWarnings } from "../support/process-warnings.ts";

// The node handler's own deadlines are tested in test/server/deadlines.test.ts; these are the mounts in other servers.
// 200 tokens a second: the reply takes longer than the short deadline below, whatever the machine's load.
const tokenwire = tokenwireFrom({ model: new LocalChatModel({ tokensPerSecond: 200 }) });
const fetchHandler = tokenwireFetchHandler(tokenwire);
let expressServer: Server;
let closeFastify: (() => Promise<unknown>) | undefined;
let expressUrl: string;
let fastifyUrl: string;

beforeAll(async () => {
  const app = express();
  app.use(tokenwireExpressMiddleware(tokenwire));
  expressServer = await new Promise<Server>((resolve) => {
    const server = app.listen(0, "127.0.0.1", () => resolve(server));
  });
  expressUrl = `http://127.0.0.1:${(expressServer.address() as AddressInfo).port}`;
  const fastify = Fastify({ http2: true });
  await fastify.register(tokenwireFastifyPlugin(tokenwire));
  fastifyUrl = await fastify.listen({ port: 0, host: "127.0.0.1" });
  closeFastify = () => fastify.close();
});

afterAll(async () => {
  await new Promise((resolve) => expressServer?.close(resolve));
  await closeFastify?.();
});

const warningNames = useProcessWarnings();
afterEach(() => expect.poll(() => tokenwire.openStreams).toBe(0));

const mounts: [string, () => Transport, "connect" | "grpc"][] = [
  ["Express, Connect over HTTP/1.1", () => createConnectTransport({ baseUrl: expressUrl, httpVersion: "1.1" }), "connect"],
  ["Express, gRPC-Web over HTTP/1.1", () => createGrpcWebTransport({ baseUrl: expressUrl, httpVersion: "1.1" }), "grpc"],
  ["Fastify, gRPC over HTTP/2", () => createGrpcTransport({ baseUrl: fastifyUrl }), "grpc"],
  ["Fastify, Connect over HTTP/2", () => createConnectTransport({ baseUrl: fastifyUrl, httpVersion: "2" }), "connect"],
  ["the fetch handler, Connect", () => createFetchConnectTransport({ baseUrl: "http://tokenwire.test", fetch: (input, init) => fetchHandler(new Request(input, init)) }), "connect"],
];

describe.each(mounts)("a deadline longer than a timer holds, through %s", (_name, transport, protocol) => {
  it.for([
    ["one year, or the longest Connect can say", { "grpc-timeout": "31536000S" }, { "connect-timeout-ms": "9999999999" }],
    ["just past what a timer holds", { "grpc-timeout": "2147484S" }, { "connect-timeout-ms": String(2 ** 31) }],
  ] as const)("should stream normally with %s", async ([, grpc, connect]) => {
    const call = createClient(TokenService, transport()).streamTokens({ generation: { input: { case: "prompt", value: "hi" } } }, { headers: protocol === "grpc" ? grpc : connect });
    expect(deltaTextOf(await readAll(call))).toBe(localReply([new HumanMessage("hi")]));
    expect(warningNames()).not.toContain("TimeoutOverflowWarning");
  });

  it("should still end a stream whose deadline a timer holds with deadline_exceeded", async () => {
    const call = createClient(TokenService, transport()).streamTokens(
      { generation: { input: { case: "prompt", value: "hi" } } },
      { headers: protocol === "grpc" ? { "grpc-timeout": "20m" } : { "connect-timeout-ms": "20" } },
    );
    await expect(readAll(call)).rejects.toMatchObject({ code: Code.DeadlineExceeded });
  });
});
