import * as http2 from "node:http2";
import { describe, expect, it } from "vitest";
import { Code, createClient } from "@connectrpc/connect";
import { createGrpcTransport } from "@connectrpc/connect-node";
import type { MessageInitShape } from "@bufbuild/protobuf";
import { TokenService } from "../../gen/tokenwire/v1/token_service_pb.js";
import type { GenerationSchema } from "../../gen/tokenwire/v1/generation_pb.js";
import { Chatgpt } from "../../gen/openai/chatgpt_pb.js";
import { defaultTokens } from "../fixtures/fake-openai.ts";
import { startTokenwireServer, testApiKey, transportsTo, useTokenwireServer } from "../support/tokenwire-test-server.ts";
import { drain } from "../support/read-stream.ts";
import { streamOutcome } from "../support/stream-text.ts";

const models = ["gpt-test", "paced-20", "paced-50", "stall-after-3", "reset-after-3", "status-429", "status-401", "status-500"];
const test = useTokenwireServer({ allowedModels: models, readMaxBytes: 4096 });
const grpc = () => createClient(TokenService, createGrpcTransport({ baseUrl: test.current.baseUrl }));
type Generation = MessageInitShape<typeof GenerationSchema>;
const ask = (generation: Generation = {}) => ({ generation: { input: { case: "prompt" as const, value: "hi" }, ...generation } });

describe("createTokenwireServer() errors", () => {
  it.each<[string, Generation, Code]>([
    ["an empty prompt", { input: { case: "prompt", value: "  " } }, Code.InvalidArgument],
    ["an unknown model", { model: "gpt-nope" }, Code.NotFound],
    ["a temperature above 2", { temperature: 2.5 }, Code.InvalidArgument],
    ["a negative temperature", { temperature: -0.1 }, Code.InvalidArgument],
    ["a NaN temperature", { temperature: NaN }, Code.InvalidArgument],
    ["max_tokens of 0", { maxTokens: 0 }, Code.InvalidArgument],
    ["max_tokens past the limit", { maxTokens: 1_000_000 }, Code.InvalidArgument],
    ["a request past readMaxBytes", { input: { case: "prompt", value: "x".repeat(5000) } }, Code.ResourceExhausted],
  ])("should refuse %s with its own code, naming the problem", async (_, generation, code) => {
    const { error } = await drain(grpc().streamTokens(ask(generation)));
    expect(error?.code).toBe(code);
    expect(error?.rawMessage).toMatch(/prompt|model|temperature|max_tokens|message size|larger|bytes/i);
    expect(test.current.upstream.requests.length).toBe(0);
  });

  it.each([
    ["status-429", Code.ResourceExhausted],
    ["status-401", Code.Unauthenticated],
    ["status-500", Code.Unavailable],
    ["reset-after-3", Code.Unavailable],
  ])("should map upstream %s to its code", async (model, code) => {
    const { error } = await drain(grpc().streamTokens(ask({ model })));
    expect(error?.code).toBe(code);
  });

  it("should keep a stream whole while another one fails beside it", async () => {
    const [good, bad] = await Promise.all([
      streamOutcome(grpc().streamTokens(ask({ model: "paced-20" }))),
      drain(grpc().streamTokens(ask({ model: "reset-after-3" }))),
    ]);
    expect(bad.error?.code).toBe(Code.Unavailable);
    expect(good).toEqual({ text: defaultTokens.join(""), code: undefined });
  });

  it("should answer the seed's Chatgpt/Send failure with one Answer.error, then the status", async () => {
    const { responses: answers, error } = await drain(createClient(Chatgpt, createGrpcTransport({ baseUrl: test.current.baseUrl })).send({ content: "hi", params: { model: "status-429" } }));
    expect(answers.map(({ error, content }) => ({ error, content }))).toEqual([{ error: error?.rawMessage, content: "" }]);
    expect(error?.code).toBe(Code.ResourceExhausted);
  });

  it("should refuse the seed's Chatgpt/Send with a NaN temperature: one Answer.error, then invalid_argument", async () => {
    const upstreamRequests = test.current.upstream.requests.length;
    const { responses: answers, error } = await drain(createClient(Chatgpt, createGrpcTransport({ baseUrl: test.current.baseUrl })).send({ content: "hi", params: { temperature: NaN } }));
    expect(error?.code).toBe(Code.InvalidArgument);
    expect(error?.rawMessage).toMatch(/temperature/);
    expect(answers.map(({ error }) => error)).toEqual([error?.rawMessage]);
    expect(test.current.upstream.requests.length).toBe(upstreamRequests);
  });

  it("should answer a Connect request of the wrong content type with HTTP 415", async () => {
    const response = await fetch(`${test.current.baseUrl}/tokenwire.v1.TokenService/StreamTokens`, {
      method: "POST",
      headers: { "content-type": "text/plain" },
      body: "hi",
    });
    expect(response.status).toBe(415);
  });

  it("should answer a gRPC request of an unknown content type with HTTP 415, before any stream starts", async () => {
    const { headers } = await h2Post({ "content-type": "application/grpc+xml" }, Buffer.from("<hi/>"));
    expect(headers[":status"]).toBe(415);
  });

  // connect-node reports a body it cannot decode as internal, with the decoder's reason.
  it("should refuse a malformed protobuf body with internal, saying it could not parse it", async () => {
    const garbage = Buffer.from([0, 0, 0, 0, 3, 0xff, 0xff, 0xff]);
    const { headers, trailers } = await h2Post({ "content-type": "application/grpc" }, garbage);
    expect(headers[":status"]).toBe(200);
    expect(Number(trailers["grpc-status"])).toBe(Code.Internal);
    expect(decodeURIComponent(String(trailers["grpc-message"]))).toMatch(/^parse binary/);
  });

  it("should refuse a malformed JSON body with invalid_argument", async () => {
    const json = Buffer.from("{ not json");
    const envelope = Buffer.concat([Buffer.from([0, 0, 0, 0, json.length]), json]);
    const response = await fetch(`${test.current.baseUrl}/tokenwire.v1.TokenService/StreamTokens`, {
      method: "POST",
      headers: { "content-type": "application/connect+json" },
      body: envelope,
    });
    const body = Buffer.from(await response.arrayBuffer());
    // The end-of-stream message: flags 0b10, then JSON with the error.
    const end = JSON.parse(body.subarray(5).toString()) as { error?: { code: string } };
    expect(end.error?.code).toBe("invalid_argument");
  });

  it("should never show the key, an upstream's message or the upstream's credentials to a client or in the log", async () => {
    const leaky = await startTokenwireServer({ baseURL: (url) => url.replace("http://", "http://user:hunter2@") });
    try {
      const messages = [];
      for (const model of ["status-401", "gpt-test"]) {
        for (const [, transport] of transportsTo(() => leaky.baseUrl)) {
          const { error } = await drain(createClient(TokenService, transport()).streamTokens(ask({ model })));
          messages.push(error?.rawMessage);
        }
      }
      expect(messages.every((message) => message !== undefined)).toBe(true);
      const seen = messages.join("\n") + leaky.logText();
      for (const secret of [testApiKey, "sk-fake-secret-123", "hunter2"]) expect(seen).not.toContain(secret);
    } finally {
      await leaky.close();
    }
  });

  it("should answer resource_exhausted past maxConcurrentStreams, and serve again once a stream ends", async () => {
    const bounded = await startTokenwireServer({ limits: { maxConcurrentStreams: 1 } });
    try {
      const client = createClient(TokenService, createGrpcTransport({ baseUrl: bounded.baseUrl }));
      const controller = new AbortController();
      const first = client.streamTokens(ask({ model: "stall-after-3" }), { signal: controller.signal })[Symbol.asyncIterator]();
      await first.next(); // started: the stream holds its slot
      expect((await drain(client.streamTokens(ask()))).error?.code).toBe(Code.ResourceExhausted);
      controller.abort();
      await bounded.settled();
      expect(await streamOutcome(client.streamTokens(ask()))).toEqual({ text: defaultTokens.join(""), code: undefined });
    } finally {
      await bounded.close();
    }
  });
});

async function h2Post(headers: http2.OutgoingHttpHeaders, body: Buffer) {
  const session = http2.connect(test.current.baseUrl);
  try {
    const stream = session.request({ ":method": "POST", ":path": "/tokenwire.v1.TokenService/StreamTokens", te: "trailers", ...headers });
    stream.end(body);
    const response = await new Promise<http2.IncomingHttpHeaders>((resolve) => stream.once("response", resolve));
    const trailers = new Promise<http2.IncomingHttpHeaders>((resolve) => stream.once("trailers", resolve));
    stream.resume();
    await new Promise((resolve) => stream.once("close", resolve));
    return { headers: response, trailers: await Promise.race([trailers, Promise.resolve({} as http2.IncomingHttpHeaders)]) };
  } finally {
    session.close();
  }
}
