import * as http2 from "node:http2";
import { describe, expect, it } from "vitest";
import { useTokenwireServer } from "../../support/tokenwire-test-server.ts";
import { http2Exchange } from "../../support/http2-exchange.ts";

// Every JSON route of the dialects against a read limit of 2 KiB: the one of TOKENWIRE_READ_MAX_BYTES, as the RPCs have.
const readMaxBytes = 2048;
const test = useTokenwireServer({ readMaxBytes });
const tooLarge = `the request is larger than this server's read limit of ${readMaxBytes} bytes (TOKENWIRE_READ_MAX_BYTES)`;
const userMessage = { id: "1", role: "user", parts: [{ type: "text", text: "hi" }] };
const routes = [
  { name: "POST /v1/chat/completions", path: "/v1/chat/completions", protocol: "openai", json: true, body: { model: "gpt-test", messages: [{ role: "user", content: "hi" }] } },
  { name: "POST /api/chat", path: "/api/chat", protocol: "ai-sdk", json: false, body: { messages: [userMessage] } },
  { name: "POST /api/chat/:id/stop", path: "/api/chat/some-chat/stop", protocol: "ai-sdk", json: false, body: {} },
];

/** The route's body padded with a field the route ignores, to exactly `bytes` bytes. */
function bodyOf(route: (typeof routes)[number], bytes: number): string {
  const empty = JSON.stringify({ ...route.body, pad: "" });
  return JSON.stringify({ ...route.body, pad: "x".repeat(bytes - empty.length) });
}

describe.each(routes)("$name over TOKENWIRE_READ_MAX_BYTES", (route) => {
  const url = () => `${test.current.baseUrl}${route.path}`;
  const headers = { "content-type": "application/json" };

  it("should refuse a body one byte over with 413, the dialect's error whose code is resource_exhausted, and close the connection", async () => {
    const asked = test.current.upstream.requests.length;
    const response = await fetch(url(), { method: "POST", headers, body: bodyOf(route, readMaxBytes + 1) });
    expect(response.status).toBe(413);
    expect(response.headers.get("connection")).toBe("close");
    expect(response.headers.get("retry-after")).toBeNull();
    const text = await response.text();
    if (route.json) expect(JSON.parse(text)).toEqual({ error: { message: tooLarge, type: "invalid_request_error", param: null, code: "resource_exhausted" } });
    else expect(text).toBe(tooLarge);
    expect(test.current.upstream.requests.length).toBe(asked);
    expect(test.current.logs().filter((line) => line.msg === "request larger than the read limit").at(-1)).toMatchObject({
      level: 40,
      protocol: route.protocol,
      method: route.path,
      status: "resource_exhausted",
      readMaxBytes,
    });
  });

  it("should take a body of exactly the limit", async () => {
    const response = await fetch(url(), { method: "POST", headers, body: bodyOf(route, readMaxBytes) });
    expect(response.status).not.toBe(413);
    expect(response.status).toBeLessThan(500);
    await response.text();
  });

  it("should refuse a body with no Content-Length as soon as it passes the limit, without waiting for its end", async () => {
    // The body never ends: only a refusal from the bytes already sent can answer it.
    const body = new ReadableStream<Uint8Array>({
      start: (controller) => controller.enqueue(new TextEncoder().encode(bodyOf(route, readMaxBytes + 100))),
    });
    const response = await fetch(url(), { method: "POST", headers, body, duplex: "half" } as RequestInit);
    expect(response.status).toBe(413);
    await response.text();
  });

  it("should refuse it over HTTP/2 too, resetting only that stream", async () => {
    const session = http2.connect(test.current.baseUrl);
    try {
      const exchange = (body: string) => http2Exchange(session, route.path, { headers, body });
      expect(await exchange(bodyOf(route, readMaxBytes * 4))).toEqual({ status: 413, text: route.json ? expect.stringContaining(tooLarge) : tooLarge });
      expect((await exchange(bodyOf(route, 100))).status).not.toBe(413);
    } finally {
      session.close();
    }
  });
});
