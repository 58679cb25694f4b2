import * as http2 from "node:http2";
import { describe, expect, it } from "vitest";
import { tokenwireOpenAIFetchHandler } from "../../../src/adapters/openai/index.ts";
import { tokenwireUIMessageFetchHandler } from "../../../src/adapters/ai-sdk/index.ts";
import { useTokenwireServer } from "../../support/tokenwire-test-server.ts";
import { http2Exchange } from "../../support/http2-exchange.ts";
import { dialectTokenwire } from "./dialect-models.ts";

// The routes that take a JSON body and spend or stop, as a page of another origin would aim at them.
const allowed = "https://chat.example.com";
const test = useTokenwireServer({ cors: { origins: [allowed] } });
const ask = [{ role: "user", content: "hi" }];
const routes = [
  { name: "POST /v1/chat/completions", path: "/v1/chat/completions", body: { model: "gpt-test", messages: ask }, json: true, served: 200 },
  { name: "POST /api/chat", path: "/api/chat", body: { messages: [{ id: "1", role: "user", parts: [{ type: "text", text: "hi" }] }] }, json: false, served: 200 },
  // No such chat: a stop that got through is the 404 of an unknown id.
  { name: "POST /api/chat/:id/stop", path: "/api/chat/victim-chat/stop", body: {}, json: false, served: 404 },
];

type Route = (typeof routes)[number];

async function post(route: Route, headers: Record<string, string>, body: BodyInit = JSON.stringify(route.body)) {
  const response = await fetch(`${test.current.baseUrl}${route.path}`, { method: "POST", headers, body });
  const text = await response.text();
  // OpenAI's error JSON, or the AI SDK's plain words.
  const message = route.json && response.status >= 400 ? (JSON.parse(text) as { error: { message: string } }).error.message : text;
  return { status: response.status, message, text, upstreamAsked: test.current.upstream.requests.length };
}

describe.each(routes)("$name", (route) => {
  it.each([
    ["text/plain", "a form's or a no-cors fetch's text"],
    ["text/plain;charset=UTF-8", "fetch's default for a string body"],
    ["application/x-www-form-urlencoded", "a form's default"],
    ["multipart/form-data; boundary=x", "a form with files"],
    ["application/json; charset=utf-16", "JSON that is not UTF-8"],
    ["application/json; profile=x", "a parameter other than charset"],
    ["application/jsonp", "a look-alike"],
  ])("should refuse %s (%s) with 415 and the dialect's error, and ask no model", async (contentType) => {
    const asked = test.current.upstream.requests.length;
    const answer = await post(route, { "content-type": contentType });
    expect([answer.status, answer.message]).toEqual([415, `the content type ${contentType} is not one this route takes (send application/json)`]);
    if (route.json) expect(JSON.parse(answer.text)).toMatchObject({ error: { type: "invalid_request_error", param: null, code: "invalid_argument" } });
    expect(answer.upstreamAsked).toBe(asked);
  });

  it("should refuse a body with no content type with 415", async () => {
    // Bytes, which fetch sends with no content type of its own.
    const answer = await post(route, {}, new TextEncoder().encode(JSON.stringify(route.body)));
    expect([answer.status, answer.message]).toEqual([415, "a request with no content type is not one this route takes (send application/json)"]);
  });

  it.each(["application/json", "Application/JSON; charset=UTF-8", 'application/json;charset="utf-8"'])("should take %s", async (contentType) => {
    expect((await post(route, { "content-type": contentType })).status).toBe(route.served);
  });

  it.each([
    ["another site's page", { origin: "https://evil.example", "sec-fetch-site": "cross-site" }, "https://evil.example"],
    ["a page on another port of the same host", { origin: "http://127.0.0.1:1", "sec-fetch-site": "same-site" }, "http://127.0.0.1:1"],
    ["an older browser's page of another origin", { origin: "https://evil.example" }, "https://evil.example"],
    ["a sandboxed frame", { origin: "null" }, "null"],
    ["a cross-site request that names no origin", { "sec-fetch-site": "cross-site" }, "null"],
  ])("should refuse %s with 403, even in JSON, and ask no model", async (_what, headers, origin) => {
    const asked = test.current.upstream.requests.length;
    const answer = await post(route, { ...headers, "content-type": "application/json" });
    expect([answer.status, answer.message]).toEqual([403, `pages of ${origin} may not call this server (list the origin in TOKENWIRE_CORS_ORIGINS to allow it)`]);
    if (route.json) expect(JSON.parse(answer.text)).toMatchObject({ error: { type: "permission_error", code: "permission_denied" } });
    expect(answer.upstreamAsked).toBe(asked);
  });

  it("should take a page of an origin TOKENWIRE_CORS_ORIGINS lists, a page of the server's own origin, and a client that is no page", async () => {
    const own = test.current.baseUrl;
    const pages: Record<string, string>[] = [{ origin: allowed, "sec-fetch-site": "cross-site" }, { origin: own, "sec-fetch-site": "same-origin" }, { origin: own }, {}];
    for (const headers of pages) {
      expect((await post(route, { ...headers, "content-type": "application/json" })).status, JSON.stringify(headers)).toBe(route.served);
    }
  });
});

describe("over HTTP/2", () => {
  it("should read the server's own origin from :authority, and refuse another's", async () => {
    const session = http2.connect(test.current.baseUrl);
    try {
      const post = (origin: string) => http2Exchange(session, "/v1/chat/completions", { headers: { origin, "content-type": "application/json" }, body: JSON.stringify(routes[0]!.body) });
      expect((await post(test.current.baseUrl)).status).toBe(200);
      expect((await post("https://evil.example")).status).toBe(403);
    } finally {
      session.close();
    }
  });
});

describe("the fetch handlers", () => {
  it("should refuse the same: another origin's page with 403, and a body that is not JSON with 415", async () => {
    const options = { cors: { origins: [allowed] } };
    const openai = tokenwireOpenAIFetchHandler(dialectTokenwire(test.current.upstream), options);
    const chat = tokenwireUIMessageFetchHandler(dialectTokenwire(test.current.upstream), options);
    const send = (handler: typeof openai, path: string, headers: Record<string, string>) =>
      handler(new Request(`http://tokenwire.test${path}`, { method: "POST", headers, body: JSON.stringify({ model: "echo", messages: ask }) }));
    expect((await send(openai, "/v1/chat/completions", { origin: "https://evil.example", "content-type": "application/json" })).status).toBe(403);
    expect((await send(chat, "/api/chat/victim-chat/stop", { origin: "https://evil.example", "content-type": "application/json" })).status).toBe(403);
    expect((await send(openai, "/v1/chat/completions", { "content-type": "text/plain" })).status).toBe(415);
    // The request's own URL is the server's origin.
    expect((await send(openai, "/v1/chat/completions", { origin: "http://tokenwire.test", "content-type": "application/json" })).status).toBe(200);
  });
});
