import * as http from "node:http";
import * as http2 from "node:http2";
import { once } from "node:events";
import type { AddressInfo } from "node:net";
import { Readable } from "node:stream";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { Code, ConnectError } from "@connectrpc/connect";
import { createClientMethodSerializers, type Compression } from "@connectrpc/connect/protocol";
import { compressionGzip } from "@connectrpc/connect-node";
import { createRpcStreamHandler } from "../../../src/adapters/rpc-stream/rpc-stream-handler.ts";
import { tokenwireNodeHandler } from "../../../src/adapters/node/tokenwire-node-handler.ts";
import { TokenService } from "../../../gen/tokenwire/v1/token_service_pb.js";
import { defaultTokens } from "../../fixtures/fake-openai.ts";
import { collect } from "../../support/collect.ts";
import { answeredOf, readFrames, streamTokensRequest, type Answered, type RpcWay } from "../../support/rpc-frames.ts";
import { malformedBodies, streamTokensCases } from "../../support/stream-tokens-cases.ts";
import { deltaTextOf } from "../../support/stream-text.ts";
import { useTokenwireServer } from "../../support/tokenwire-test-server.ts";

const test = useTokenwireServer();
const path = "/tokenwire.v1.TokenService/StreamTokens";
const method = TokenService.method.streamTokens;

/** One way to call: the protocol, the HTTP version, the codec, and whether the request body is compressed. */
interface Way extends RpcWay {
  httpVersion: 1 | 2;
}

/** Sends one `StreamTokens` request as bytes and reads the answer with connect-es's client-side parsers. */
async function call(way: Way, model: string, options: { timeoutMs?: number; body?: Uint8Array; baseUrl?: string } = {}): Promise<Answered> {
  const { headers, body } = await streamTokensRequest(way, { model, ...options });
  const baseUrl = options.baseUrl ?? test.current.baseUrl;
  const sent = way.httpVersion === 1 ? await postH1(baseUrl, headers, body) : await postH2(baseUrl, headers, body);
  const answered = await answeredOf(way, sent);
  sent.close();
  return answered;
}

interface Sent {
  status: number;
  headers: Headers;
  body: ReadableStream<Uint8Array>;
  trailers: () => Headers;
  close(): void;
}

async function postH1(baseUrl: string, headers: Headers, body: Uint8Array): Promise<Sent> {
  const response = await fetch(`${baseUrl}${path}`, { method: "POST", headers, body: Buffer.from(body) });
  return { status: response.status, headers: response.headers, body: response.body!, trailers: () => new Headers(), close() {} };
}

async function postH2(baseUrl: string, headers: Headers, body: Uint8Array): Promise<Sent> {
  const session = http2.connect(baseUrl);
  const outgoing: http2.OutgoingHttpHeaders = { ":method": "POST", ":path": path };
  headers.forEach((value, name) => (outgoing[name] = value));
  const stream = session.request(outgoing);
  stream.end(body);
  const trailers = new Headers();
  stream.on("trailers", (received: http2.IncomingHttpHeaders) => Object.entries(received).forEach(([name, value]) => trailers.set(name, String(value))));
  const [head] = (await once(stream, "response")) as [http2.IncomingHttpHeaders];
  const header = new Headers();
  for (const [name, value] of Object.entries(head)) if (!name.startsWith(":")) header.set(name, String(value));
  return { status: Number(head[":status"]), headers: header, body: Readable.toWeb(stream) as ReadableStream<Uint8Array>, trailers: () => trailers, close: () => session.close() };
}

async function listening(server: http.Server): Promise<string> {
  server.listen(0, "127.0.0.1");
  await once(server, "listening");
  return `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
}

const ways: Way[] = [
  { protocol: "grpc", httpVersion: 2, binary: true },
  { protocol: "grpc", httpVersion: 2, binary: false },
  { protocol: "grpc-web", httpVersion: 1, binary: true },
  { protocol: "grpc-web", httpVersion: 1, binary: false },
  { protocol: "grpc-web", httpVersion: 2, binary: true },
  { protocol: "connect", httpVersion: 1, binary: true },
  { protocol: "connect", httpVersion: 1, binary: false },
  { protocol: "connect", httpVersion: 2, binary: true },
  { protocol: "connect", httpVersion: 2, binary: false },
];
const named = (way: Way) => `${way.protocol} over HTTP/${way.httpVersion}, ${way.binary ? "binary" : "JSON"}`;

describe.for(ways.map((way) => [named(way), way] as const))("StreamTokens through the frame sinks, %s", ([, way]) => {
  streamTokensCases(way, { call: (model, options) => call(way, model, options), upstream: () => test.current.upstream });

  it("should read a gzip-compressed request", async () => {
    const answered = await call({ ...way, sendCompression: compressionGzip }, "gpt-test");
    expect(answered.error).toBeUndefined();
    expect(deltaTextOf(answered.responses)).toBe(defaultTokens.join(""));
  });
});

describe("malformed StreamTokens requests through the frame sinks", () => {
  const way: Way = { protocol: "connect", httpVersion: 1, binary: true };
  // The same service through connect-node's pipeline: an interceptor keeps every call there.
  let server: http.Server;
  let connectNode = "";
  beforeAll(async () => {
    server = http.createServer(tokenwireNodeHandler(test.current.server.tokenwire, { interceptors: [(next) => next] }));
    connectNode = await listening(server);
  });
  afterAll(() => new Promise<void>((resolve) => server.close(() => resolve())));

  it.for(malformedBodies)("should refuse %s with the status connect-node gives it", async ([, body]) => {
    const answered = await call(way, "gpt-test", { body });
    const expected = await call(way, "gpt-test", { body, baseUrl: connectNode });
    expect(answered.responses).toEqual([]);
    expect(answered.error).toBeDefined();
    expect({ code: answered.error?.code, message: answered.error?.rawMessage }).toEqual({ code: expected.error?.code, message: expected.error?.rawMessage });
  });

  it("should refuse a compression it does not know with unimplemented, naming the ones it does", async () => {
    // gzip under a name the server does not know.
    const snappy: Compression = { ...compressionGzip, name: "snappy" };
    const answered = await call({ protocol: "grpc", httpVersion: 2, binary: true, sendCompression: snappy }, "gpt-test");
    expect(answered.error?.code).toBe(Code.Unimplemented);
    expect(answered.error?.rawMessage).toContain("gzip,br");
  });
});

describe("createRpcStreamHandler()", () => {
  let server: http.Server;
  let base = "";
  const declined: string[] = [];
  beforeAll(async () => {
    const streams = createRpcStreamHandler(test.current.server.tokenwire);
    server = http.createServer((req, res) => {
      if (streams(req, res)) return;
      declined.push(`${req.method} ${req.url} ${req.headers["content-type"]}`);
      res.writeHead(404).end();
    });
    base = await listening(server);
  });
  afterAll(() => new Promise<void>((resolve) => server.close(() => resolve())));

  it.for([
    ["a GET", "GET", path, "application/connect+proto"],
    ["a unary method", "POST", "/tokenwire.v1.TokenService/Generate", "application/proto"],
    ["Connect's unary content type on a streaming method", "POST", path, "application/proto"],
    ["gRPC over HTTP/1.1", "POST", path, "application/grpc"],
    ["gRPC-Web's text form", "POST", path, "application/grpc-web-text"],
    ["a path it does not serve", "POST", "/tokenwire.v1.TokenService/Nothing", "application/connect+proto"],
  ] as const)("should leave %s to the next handler", async ([, verb, target, contentType]) => {
    const response = await fetch(`${base}${target}`, { method: verb, headers: { "content-type": contentType }, body: verb === "GET" ? undefined : "" });
    expect(response.status).toBe(404);
    expect(declined.at(-1)).toBe(`${verb} ${target} ${contentType}`);
  });

  it("should read the body through requestBody, and take only the compressions it is given", async () => {
    // A bound of the server's own: no more than 8 bytes of body.
    async function* atMost8(body: AsyncIterable<Uint8Array>, method: string): AsyncGenerator<Uint8Array> {
      let read = 0;
      for await (const chunk of body) {
        read += chunk.byteLength;
        if (read > 8) throw new ConnectError(`${method}: over 8 bytes`, Code.ResourceExhausted);
        yield chunk;
      }
    }
    const bounded = createRpcStreamHandler(test.current.server.tokenwire, { acceptCompression: [], requestBody: (req, { method }) => atMost8(req, method) });
    const own = http.createServer((req, res) => void (bounded(req, res) || res.writeHead(404).end()));
    try {
      const baseUrl = await listening(own);
      const way: Way = { protocol: "connect", httpVersion: 1, binary: true };
      expect((await call(way, "gpt-test", { baseUrl })).error).toMatchObject({ code: Code.ResourceExhausted, rawMessage: "tokenwire.v1.TokenService/StreamTokens: over 8 bytes" });
      expect((await call({ ...way, sendCompression: compressionGzip }, "gpt-test", { baseUrl })).error?.code).toBe(Code.Unimplemented);
    } finally {
      await new Promise((resolve) => own.close(resolve));
    }
  });

  it("should answer a Connect stream itself", async () => {
    const count = declined.length;
    const response = await fetch(`${base}${path}`, { method: "POST", headers: { "content-type": "application/connect+proto" }, body: "" });
    expect(response.status).toBe(200);
    const { error } = await collect(readFrames(response.body!, { protocol: "connect", parse: createClientMethodSerializers(method, true).parse }));
    expect((error as unknown as ConnectError).code).toBe(Code.Unimplemented);
    expect(declined).toHaveLength(count);
  });
});
