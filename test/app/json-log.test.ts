import * as http from "node:http";
import * as http2 from "node:http2";
import { afterAll, beforeAll, describe, expect, it, vi } from "vitest";
import { startFakeOpenAI, type FakeOpenAI } from "../fixtures/fake-openai.ts";
import { repoRoot, startTokenwireProcess, type TokenwireProcess } from "../fixtures/tokenwire-process.ts";
import { dribble, openSocket } from "../support/raw-socket.ts";
import { grpcFrame, grpcStreamTokensHeaders } from "../support/grpc-frame.ts";

// npm start under the abuse that used to print stack traces and Node warnings beside its JSON lines.
let upstream: FakeOpenAI;
let server: TokenwireProcess;
beforeAll(async () => {
  upstream = await startFakeOpenAI();
  server = await startTokenwireProcess({
    upstreamUrl: upstream.url,
    models: ["gpt-test", "long-200000"],
    env: { TOKENWIRE_HEADERS_TIMEOUT_MS: "500", TOKENWIRE_IDLE_TIMEOUT_MS: "300" },
  });
});
afterAll(async () => {
  await server?.stop();
  await upstream?.close();
});

const path = "/tokenwire.v1.TokenService/StreamTokens";
const body = (model: string, resumable = false) => grpcFrame({ generation: { model, input: { case: "prompt", value: "hi" } }, resumable });

// A gRPC stream whose reader took its first bytes and stopped: the handler parks on a full flow-control window.
async function parkedStream() {
  const session = http2.connect(server.url);
  const stream = session.request(grpcStreamTokensHeaders);
  stream.end(body("long-200000"));
  await new Promise((resolve) => stream.once("data", resolve));
  stream.pause();
  await new Promise((resolve) => setTimeout(resolve, 200));
  return { session, stream };
}

async function untilClosed(session: http2.ClientHttp2Session): Promise<void> {
  if (!session.closed) await new Promise((resolve) => session.once("close", resolve));
}

type StreamLine = { msg: string; kind?: string; status?: string; method?: string; usage?: unknown };
const streamLines = () =>
  server.output.flatMap((line) => {
    try {
      const parsed = JSON.parse(line) as StreamLine;
      return parsed.msg === "stream ended" || parsed.msg === "stream failed" ? [parsed] : [];
    } catch {
      return [];
    }
  });

/** Runs `abuse`, then waits for the one line that the stream it hurt ends with, and returns it. */
async function lineOfOneStream(abuse: () => Promise<void>): Promise<StreamLine> {
  const before = streamLines().length;
  await abuse();
  await vi.waitFor(() => expect(streamLines().length).toBeGreaterThan(before), { timeout: 5000, interval: 20 });
  await new Promise((resolve) => setTimeout(resolve, 50)); // a second line for the same stream would be written by now
  const lines = streamLines().slice(before);
  expect(lines).toHaveLength(1);
  return lines[0]!;
}

describe("npm start's output under abuse", () => {
  it.for([
    ["CANCEL", http2.constants.NGHTTP2_CANCEL],
    ["INTERNAL_ERROR", http2.constants.NGHTTP2_INTERNAL_ERROR],
    ["FLOW_CONTROL_ERROR", http2.constants.NGHTTP2_FLOW_CONTROL_ERROR],
  ] as const)("should take a reset (%s) of a stream parked on flow control, and log it once as canceled", async ([, code]) => {
    const line = await lineOfOneStream(async () => {
      const { session, stream } = await parkedStream();
      stream.on("error", () => {}); // the client's own stream reports the code it reset with
      stream.close(code);
      await new Promise((resolve) => stream.once("close", resolve));
      session.destroy();
    });
    expect(line).toMatchObject({ msg: "stream ended", kind: "generation", status: "canceled" });
  });

  it("should take the session of a parked stream destroyed under it, and log it once as canceled", async () => {
    const line = await lineOfOneStream(async () => {
      const { session } = await parkedStream();
      session.destroy();
      await untilClosed(session);
    });
    expect(line).toMatchObject({ msg: "stream ended", kind: "generation", status: "canceled" });
  });

  it("should take an HTTP/1.1 reader that stops reading and goes away, and log it once as canceled", async () => {
    const line = await lineOfOneStream(async () => {
      const request = http.request(`${server.url}${path}`, { method: "POST", headers: { "content-type": "application/grpc-web+proto" } });
      request.end(body("long-200000"));
      const response = await new Promise<http.IncomingMessage>((resolve) => request.once("response", resolve));
      await new Promise((resolve) => response.once("data", resolve));
      response.pause();
      await new Promise((resolve) => setTimeout(resolve, 200));
      request.destroy();
    });
    expect(line).toMatchObject({ msg: "stream ended", kind: "generation", status: "canceled" });
  });

  it("should log a resumable stream once, as its generation with its usage", async () => {
    const generation = await lineOfOneStream(async () => {
      const session = http2.connect(server.url);
      const stream = session.request(grpcStreamTokensHeaders);
      stream.end(body("gpt-test", true));
      stream.resume();
      await new Promise((resolve) => stream.once("trailers", resolve));
      session.close();
    });
    expect(generation).toMatchObject({ msg: "stream ended", kind: "generation", status: "ok", usage: { outputTokens: 10 } });
  });

  it.for(["31536000S", "99999999H", "2147484S"])("should stream with a deadline of %s and no TimeoutOverflowWarning", async (timeout) => {
    const session = http2.connect(server.url);
    const stream = session.request({ ...grpcStreamTokensHeaders, "grpc-timeout": timeout });
    stream.end(body("gpt-test"));
    stream.resume();
    const trailers = await new Promise<http2.IncomingHttpHeaders>((resolve) => stream.once("trailers", resolve));
    expect(trailers["grpc-status"]).toBe("0");
    session.close();
  });

  it("should answer 400 to an HTTP/1.0 request without Host", async () => {
    const raw = await openSocket(server.url);
    raw.socket.end(`POST ${path} HTTP/1.0\r\ncontent-type: application/grpc-web+proto\r\ncontent-length: 0\r\n\r\n`);
    await raw.closed;
    expect(raw.received()).toMatch(/^HTTP\/1\.1 400 /);
  });

  it("should close a connection that sends garbage after the HTTP/2 preface", async () => {
    const raw = await openSocket(server.url);
    raw.socket.write("PRI * HTTP/2.0\r\n\r\nSM\r\n\r\n\x00\x00\x04\xff\x00\x00\x00\x00\x00garbage");
    await raw.closed;
  });

  it("should close idle and slow connections as TOKENWIRE_HEADERS_TIMEOUT_MS says", async () => {
    const idle = await openSocket(server.url);
    const slow = await openSocket(server.url);
    const sent = await dribble(slow, "GET /healthz HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n", 50);
    await Promise.all([idle.closed, slow.closed]);
    expect(sent).toBeLessThan(40);
  });

  it("should have written JSON lines only, with no absolute path, through all of the above and a shutdown", async () => {
    await server.stop();
    const notJson = server.output.filter((line) => {
      try {
        return typeof JSON.parse(line) !== "object";
      } catch {
        return true;
      }
    });
    expect(notJson).toEqual([]);
    expect(server.output.filter((line) => line.includes(repoRoot))).toEqual([]);
    expect(server.output.map((line) => JSON.parse(line) as { msg: string }).map((line) => line.msg)).toContain("stopped");
  });
});
