import { describe, expect, it } from "vitest";
import { Code, createClient, type Transport } from "@connectrpc/connect";
import { createConnectTransport, createGrpcTransport, createGrpcWebTransport } from "@connectrpc/connect-node";
import { TokenService } from "../../gen/tokenwire/v1/token_service_pb.js";
import { defaultTokens } from "../fixtures/fake-openai.ts";
import { interopModels, isTokenSplit, useInteropServer } from "./use-interop-server.ts";
import { failureOf, readAll } from "../support/read-stream.ts";

const stack = useInteropServer();

const transports: [string, (baseUrl: string) => Transport][] = [
  ["Connect over HTTP/1.1", (baseUrl) => createConnectTransport({ baseUrl, httpVersion: "1.1" })],
  ["Connect over HTTP/2", (baseUrl) => createConnectTransport({ baseUrl, httpVersion: "2" })],
  ["gRPC over HTTP/2", (baseUrl) => createGrpcTransport({ baseUrl })],
  ["gRPC-Web over HTTP/1.1", (baseUrl) => createGrpcWebTransport({ baseUrl, httpVersion: "1.1" })],
  ["gRPC-Web over HTTP/2", (baseUrl) => createGrpcWebTransport({ baseUrl, httpVersion: "2" })],
];

describe.each(transports)("tokenwire.v1.TokenService from connect-node, %s, against the server process", (_, transport) => {
  const client = () => createClient(TokenService, transport(stack.server.url));

  it("should stream started, the tokens in order and finished", async () => {
    const events = (await readAll(client().streamTokens({ generation: { input: { case: "prompt", value: "hello" } } }))).map((response) => response.event);
    expect(events[0]?.case).toBe("started");
    expect(events.at(-1)?.case).toBe("finished");
    const deltas = events.flatMap((event) => (event.case === "delta" ? [event.value.text] : []));
    expect(isTokenSplit(deltas, defaultTokens)).toBe(true);
  });

  it("should end a rate-limited upstream with resource_exhausted", async () => {
    const stream = client().streamTokens({ generation: { input: { case: "prompt", value: "hello" }, model: interopModels.rateLimited } });
    const error = await failureOf(stream);
    expect(error.code).toBe(Code.ResourceExhausted);
    expect(error.rawMessage).toMatch(/rate limited/);
  });

  it("should close the upstream request when the client aborts", async () => {
    const request = stack.fake.nextRequest();
    const abort = new AbortController();
    const stream = client().streamTokens({ generation: { input: { case: "prompt", value: "hello" }, model: interopModels.stalling } }, { signal: abort.signal });
    const error = await failureOf(stream, (message) => message.event.case === "delta" && abort.abort());
    expect(error.code).toBe(Code.Canceled);
    await (await request).clientClosed;
  });
});
