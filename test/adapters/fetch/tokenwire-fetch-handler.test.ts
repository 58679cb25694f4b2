import { afterEach, describe, expect, it } from "vitest";
import { Code, createClient } from "@connectrpc/connect";
import { compressionGzip } from "@connectrpc/connect-node";
import { createConnectTransport, createGrpcWebTransport } from "@connectrpc/connect-web";
import { HumanMessage } from "@langchain/core/messages";
import { Chatgpt } from "../../../gen/openai/chatgpt_pb.js";
import { TokenService } from "../../../gen/tokenwire/v1/token_service_pb.js";
import { tokenwireFetchHandler, type FetchHandler, type TokenwireFetchHandlerOptions } from "../../../src/adapters/fetch/tokenwire-fetch-handler.ts";
import { tokenwireFrom } from "../../../src/models/tokenwire-from.ts";
import { LocalChatModel, localReply } from "../../../src/models/local-chat-model.ts";
import { defaultTokens } from "../../fixtures/fake-openai.ts";
import { ask } from "../../support/ask.ts";
import { holdStream } from "../../support/hold-stream.ts";
import { failureOf, readAll } from "../../support/read-stream.ts";
import { answeredOf, streamTokensRequest, type Answered, type RpcWay } from "../../support/rpc-frames.ts";
import { deltaTextOf } from "../../support/stream-text.ts";
import { malformedBodies, streamTokensCases } from "../../support/stream-tokens-cases.ts";
import { startTokenwireServer, useTokenwireServer } from "../../support/tokenwire-test-server.ts";

const page = "https://chat.example.com";
const tokenwire = tokenwireFrom({ model: new LocalChatModel({ tokensPerSecond: 0 }) });
const handler = tokenwireFetchHandler(tokenwire, { requestPathPrefix: "/api", cors: { origins: [page] } });
const rpc = "http://tokenwire.test/api/tokenwire.v1.TokenService/StreamTokens";

afterEach(() => expect.poll(() => tokenwire.openStreams).toBe(0));

describe("tokenwireFetchHandler()", () => {
  it("should stream over Connect under its path prefix", async () => {
    const transport = createConnectTransport({ baseUrl: "http://tokenwire.test/api", fetch: (input, init) => handler(new Request(input, init)) });
    const responses = await readAll(createClient(TokenService, transport).streamTokens({ generation: { input: { case: "prompt", value: "hi" } } }));
    expect(deltaTextOf(responses)).toBe(localReply([new HumanMessage("hi")]));
  });

  it("should not serve gRPC, whose trailers a fetch Response cannot carry", async () => {
    const res = await handler(new Request(rpc, { method: "POST", headers: { "content-type": "application/grpc" }, body: new Uint8Array(5) }));
    expect(res.status).toBe(415);
  });

  it("should answer an allowed origin's preflight", async () => {
    const res = await handler(new Request(rpc, { method: "OPTIONS", headers: { origin: page, "access-control-request-method": "POST" } }));
    expect(res.status).toBe(204);
    expect(res.headers.get("access-control-allow-origin")).toBe(page);
  });

  it("should say 404 for a path that no RPC and no fallback serves", async () => {
    expect((await handler(new Request("http://tokenwire.test/elsewhere"))).status).toBe(404);
  });
});

describe("tokenwireFetchHandler() through the frame sinks", () => {
  const test = useTokenwireServer();
  const base = "http://tokenwire.test";
  const path = "/tokenwire.v1.TokenService/StreamTokens";
  const served = (options: TokenwireFetchHandlerOptions = {}) => tokenwireFetchHandler(test.current.server.tokenwire, options);
  // The same handler with connect-es's own pipeline: an interceptor keeps every call there.
  const connectEs = () => served({ interceptors: [(next) => next] });
  const fetchVia = (handler: FetchHandler) => (input: RequestInfo | URL, init?: RequestInit) => handler(new Request(input, init));

  /** Posts a request's bytes to a handler, under its path prefix. */
  const post = (handler: FetchHandler, { headers, body }: { headers: Headers; body: Uint8Array }, prefix = "") =>
    handler(new Request(`${base}${prefix}${path}`, { method: "POST", headers, body: Buffer.from(body) }));

  /** Sends one `StreamTokens` request as bytes to the handler and reads the answer with connect-es's client-side parsers. */
  async function call(way: RpcWay, model: string, options: { timeoutMs?: number; body?: Uint8Array; handler?: FetchHandler } = {}): Promise<Answered> {
    return answeredOf(way, await post(options.handler ?? served(), await streamTokensRequest(way, { model, ...options })));
  }

  const ways: RpcWay[] = [
    { protocol: "connect", binary: true },
    { protocol: "connect", binary: false },
    { protocol: "grpc-web", binary: true },
    { protocol: "grpc-web", binary: false },
  ];
  const named = (way: RpcWay) => `${way.protocol}, ${way.binary ? "binary" : "JSON"}`;

  describe.for(ways.map((way) => [named(way), way] as const))("StreamTokens over %s", ([, way]) => {
    streamTokensCases(way, { call: (model, options) => call(way, model, options), upstream: () => test.current.upstream });

    it("should refuse a gzip-compressed request as connect-es's pipeline does, with no compression of a runtime's own", async () => {
      const compressed = { ...way, sendCompression: compressionGzip };
      const answered = await call(compressed, "gpt-test");
      const expected = await call(compressed, "gpt-test", { handler: connectEs() });
      expect(answered.responses).toEqual([]);
      expect({ code: answered.error?.code, message: answered.error?.rawMessage }).toEqual({ code: expected.error?.code, message: expected.error?.rawMessage });
      expect(answered.error?.code).toBe(Code.Unimplemented);
    });

    it("should take a gzip-compressed request, and compress its reply, when given gzip, as connect-es's pipeline does", async () => {
      const compressed = { ...way, sendCompression: compressionGzip };
      const gzip = { acceptCompression: [compressionGzip] };
      const answered = await call(compressed, "gpt-test", { handler: served(gzip) });
      expect(deltaTextOf(answered.responses)).toBe(defaultTokens.join(""));
      expect(answered.error).toBeUndefined();
      const expected = await call(compressed, "gpt-test", { handler: served({ ...gzip, interceptors: [(next) => next] }) });
      expect(deltaTextOf(expected.responses)).toBe(defaultTokens.join(""));
      const encoding = way.protocol === "connect" ? "connect-content-encoding" : "grpc-encoding";
      expect(answered.header.get(encoding)).toBe("gzip");
      expect(expected.header.get(encoding)).toBe("gzip");
    });
  });

  describe("malformed StreamTokens requests", () => {
    it.for(malformedBodies)("should refuse %s with the status connect-es's pipeline gives it", async ([, body]) => {
      const way: RpcWay = { protocol: "connect", binary: true };
      const answered = await call(way, "gpt-test", { body });
      const expected = await call(way, "gpt-test", { body, handler: connectEs() });
      expect(answered.responses).toEqual([]);
      expect(answered.error).toBeDefined();
      expect({ code: answered.error?.code, message: answered.error?.rawMessage }).toEqual({ code: expected.error?.code, message: expected.error?.rawMessage });
    });

    it("should refuse a message past its own readMaxBytes with resource_exhausted", async () => {
      const answered = await call({ protocol: "grpc-web", binary: true }, "gpt-test", { handler: served({ readMaxBytes: 8 }) });
      expect(answered.responses).toEqual([]);
      expect(answered.error?.code).toBe(Code.ResourceExhausted);
    });

    it("should refuse a malformed deadline with the status connect-es's pipeline gives it", async () => {
      const way: RpcWay = { protocol: "connect", binary: true };
      const request = await streamTokensRequest(way, { model: "gpt-test" });
      request.headers.set("connect-timeout-ms", "soon");
      const answer = async (handler: FetchHandler) => (await answeredOf(way, await post(handler, request))).error;
      const [answered, expected] = [await answer(served()), await answer(connectEs())];
      expect(answered?.code).toBe(expected?.code);
      expect(answered?.code).toBeDefined();
    });
  });

  it("should answer resource_exhausted past the service's stream limit", async () => {
    const bounded = await startTokenwireServer({ limits: { maxConcurrentStreams: 1 } });
    try {
      const client = createClient(TokenService, createGrpcWebTransport({ baseUrl: base, fetch: fetchVia(tokenwireFetchHandler(bounded.server.tokenwire)) }));
      const held = await holdStream(client);
      const refused = await failureOf(client.streamTokens(ask("gpt-test")));
      await held.release();
      expect(refused.code).toBe(Code.ResourceExhausted);
    } finally {
      await bounded.close();
    }
  });

  describe.for([
    ["Connect", (handler: FetchHandler) => createConnectTransport({ baseUrl: base, fetch: fetchVia(handler) })],
    ["Connect with JSON", (handler: FetchHandler) => createConnectTransport({ baseUrl: base, fetch: fetchVia(handler), useBinaryFormat: false })],
    ["gRPC-Web", (handler: FetchHandler) => createGrpcWebTransport({ baseUrl: base, fetch: fetchVia(handler) })],
  ] as const)("a connect-es client over %s", ([, transport]) => {
    const client = () => createClient(TokenService, transport(served()));

    it("should stream the tokens", async () => {
      const responses = await readAll(client().streamTokens(ask("gpt-test")));
      expect(deltaTextOf(responses)).toBe(defaultTokens.join(""));
    });

    it("should close the upstream connection when the client aborts mid-stream", async () => {
      const arrived = test.current.upstream.nextRequest();
      const controller = new AbortController();
      const { code } = await failureOf(client().streamTokens(ask("paced-50"), { signal: controller.signal }), (response) => response.event.case === "delta" && controller.abort());
      expect(code).toBe(Code.Canceled);
      expect(await (await arrived).ended).toBe("client-closed");
    });

    it("should end the call at its deadline with deadline_exceeded", async () => {
      const arrived = test.current.upstream.nextRequest();
      expect((await failureOf(client().streamTokens(ask("stall-after-3"), { timeoutMs: 300 }))).code).toBe(Code.DeadlineExceeded);
      expect(await (await arrived).ended).toBe("client-closed");
    });
  });

  it("should answer the seed's Send, one Answer a delta, with the run's id in the head", async () => {
    let runId: string | null = null;
    const client = createClient(Chatgpt, createGrpcWebTransport({ baseUrl: base, fetch: fetchVia(served()) }));
    const answers = await readAll(client.send({ content: "hi", params: { model: "gpt-test" } }, { onHeader: (header) => (runId = header.get("tokenwire-run-id")) }));
    expect(answers.map((answer) => answer.content).join("")).toBe(defaultTokens.join(""));
    expect(runId).toMatch(/^[0-9a-f-]{36}$/);
  });

  it("should close the upstream connection when the body's reader cancels, with no signal aborted", async () => {
    const way: RpcWay = { protocol: "connect", binary: true };
    const arrived = test.current.upstream.nextRequest();
    const response = await post(served(), await streamTokensRequest(way, { model: "stall-after-3" }));
    const reader = response.body!.getReader();
    expect((await reader.read()).done).toBe(false);
    // Gone once the model call is under way: a reader gone before it would leave no upstream connection to close.
    const upstream = await arrived;
    await reader.cancel();
    expect(await upstream.ended).toBe("client-closed");
  });

  it("should merge the deltas a reader has not yet asked for into fewer messages, losing none", async () => {
    const way: RpcWay = { protocol: "connect", binary: true };
    const arrived = test.current.upstream.nextRequest();
    const response = await post(served(), await streamTokensRequest(way, { model: "gpt-test" }));
    // Nothing is read until the upstream has sent the whole reply.
    expect(await (await arrived).ended).toBe("completed");
    const deltas = (await answeredOf(way, response)).responses.filter((each) => each.event.case === "delta");
    expect(deltaTextOf(deltas)).toBe(defaultTokens.join(""));
    expect(deltas.length).toBeLessThan(defaultTokens.length);
  });

  it("should end a stream in flight as unavailable once its shutdownSignal aborts, and close its upstream request", async () => {
    const shutdown = new AbortController();
    const client = createClient(TokenService, createConnectTransport({ baseUrl: base, fetch: fetchVia(served({ shutdownSignal: shutdown.signal })) }));
    const arrived = test.current.upstream.nextRequest();
    const { code } = await failureOf(client.streamTokens(ask("stall-after-3")), (response) => response.event.case === "delta" && shutdown.abort());
    expect(code).toBe(Code.Unavailable);
    expect(await (await arrived).ended).toBe("client-closed");
  });

  it("should put the CORS headers on a stream under its path prefix", async () => {
    const page = "https://chat.example.com";
    const handler = served({ requestPathPrefix: "/api", cors: { origins: [page] } });
    const way: RpcWay = { protocol: "grpc-web", binary: true };
    const request = await streamTokensRequest(way, { model: "gpt-test" });
    request.headers.set("origin", page);
    const response = await post(handler, request, "/api");
    expect(response.headers.get("access-control-allow-origin")).toBe(page);
    expect(deltaTextOf((await answeredOf(way, response)).responses)).toBe(defaultTokens.join(""));
  });

  it("should leave a unary call and another path to connect-es and the fallback", async () => {
    const handler = served({ fallback: async () => new Response("your app\n") });
    const answer = await createClient(TokenService, createConnectTransport({ baseUrl: base, fetch: fetchVia(handler) })).generate(ask("gpt-test"));
    expect(answer.text).toBe(defaultTokens.join(""));
    expect(await (await handler(new Request(`${base}/elsewhere`))).text()).toBe("your app\n");
  });

  it("should let interceptors see a stream, through connect-es's pipeline", async () => {
    const seen: string[] = [];
    const handler = served({ interceptors: [(next) => (request) => (seen.push(request.method.name), next(request))] });
    const responses = await readAll(createClient(TokenService, createConnectTransport({ baseUrl: base, fetch: fetchVia(handler) })).streamTokens(ask("gpt-test")));
    expect(deltaTextOf(responses)).toBe(defaultTokens.join(""));
    expect(seen).toEqual(["StreamTokens"]);
  });
});
