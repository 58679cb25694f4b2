import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { setDefaultCACertificates } from "node:tls";
import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest";
import { build } from "esbuild";
import { credentials } from "@grpc/grpc-js";
import { createClient } from "@connectrpc/connect";
import { createConnectTransport } from "@connectrpc/connect-node";
import { DefaultChatTransport, type UIMessage, type UIMessageChunk } from "ai";
import OpenAI from "openai";
import type { Browser, Page } from "playwright-core";
import { TokenService } from "../../gen/tokenwire/v1/token_service_pb.js";
import { launchChromium } from "../browser/use-chat-page.ts";
import { defaultTokens } from "../fixtures/fake-openai.ts";
import { startNginx, type Nginx } from "../fixtures/nginx.ts";
import { selfSignedCert } from "../fixtures/self-signed-cert.ts";
import { createGrpcJsClient, type GrpcJsClient } from "../interop/grpc-js-client.ts";
import { startTokenwireServer, type TestServer } from "../support/tokenwire-test-server.ts";
import { docText } from "../support/docs.ts";
import type { GrpcWebPageWindow } from "./grpc-web-page.ts";

const dir = mkdtempSync(join(tmpdir(), "tokenwire-deploy-"));
const pem = selfSignedCert(dir);
let tokenwire: TestServer;
let nginx: Nginx;
let url: string;
let grpcJs: GrpcJsClient;
let browser: Browser;
let page: Page;
/** The page's tokens go to the call in flight. */
let onPageToken: (text: string) => Promise<void> = async () => {};

/** docs/deploy/nginx.conf as the guide shows it, but for the addresses and certificate of this test. */
function deploySite(port: number): string {
  const replacements = [
    ["server 127.0.0.1:8080;", `server ${new URL(tokenwire.baseUrl).host};`],
    ["listen 443 ssl http2;", `listen 127.0.0.1:${port} ssl http2;`],
    ["/etc/ssl/tokenwire/fullchain.pem", pem.cert],
    ["/etc/ssl/tokenwire/privkey.pem", pem.key],
  ];
  return replacements.reduce((conf, [from, to]) => {
    if (conf.split(from!).length !== 2) throw new Error(`docs/deploy/nginx.conf should hold "${from}" once`);
    return conf.replace(from!, to!);
  }, docText("docs/deploy/nginx.conf"));
}

/** The page that calls tokenwire over gRPC-Web from the proxy's origin, its script bundled in memory. */
async function openPage(): Promise<Page> {
  const bundled = await build({ entryPoints: [join(import.meta.dirname, "grpc-web-page.ts")], bundle: true, write: false, format: "iife", platform: "browser", target: "es2022", logLevel: "silent" });
  const context = await browser.newContext({ ignoreHTTPSErrors: true });
  const opened = await context.newPage();
  await opened.exposeFunction("onToken", (text: string) => onPageToken(text));
  await opened.route(`${url}/`, (route) => route.fulfill({ contentType: "text/html", body: `<!doctype html><script>${bundled.outputFiles[0]!.text}</script>` }));
  await opened.goto(`${url}/`);
  return opened;
}

beforeAll(async () => {
  tokenwire = await startTokenwireServer();
  nginx = await startNginx(deploySite);
  url = `https://127.0.0.1:${nginx.port}`;
  // The clients in this process trust the proxy's certificate as they would a CA's; grpc-js is given it.
  setDefaultCACertificates([readFileSync(pem.cert, "utf8")]);
  grpcJs = createGrpcJsClient({ file: "tokenwire/v1/token_service.proto", service: "tokenwire.v1.TokenService", target: `127.0.0.1:${nginx.port}`, credentials: credentials.createSsl(readFileSync(pem.cert)) });
  browser = await launchChromium();
  page = await openPage();
}, 60_000);
afterEach(() => tokenwire.settled());
afterAll(async () => {
  grpcJs?.close();
  await browser?.close();
  await nginx?.stop();
  await tokenwire?.close();
  rmSync(dir, { recursive: true, force: true });
});

/** A client of one wire: it streams the `lockstep` model's reply through the proxy, handing each text piece to `onToken`, until `signal` aborts. */
type WireClient = (onToken: (text: string) => Promise<void>, signal: AbortSignal) => Promise<unknown>;

const prompt = "hi";
const model = "lockstep";

const wires: [string, WireClient][] = [
  [
    "gRPC from grpc-js",
    (onToken, signal) =>
      new Promise((resolve, reject) => {
        const call = grpcJs.stream<{ delta?: { text: string } }>("StreamTokens", { generation: { prompt, model } });
        signal.addEventListener("abort", () => call.cancel());
        // Each token is taken in turn: the next message waits until the last one is handled.
        call.on("data", (message) => message.delta && (call.pause(), void onToken(message.delta.text).then(() => call.resume())));
        call.on("error", reject);
        call.on("end", resolve);
      }),
  ],
  [
    "Connect from connect-node",
    async (onToken, signal) => {
      const client = createClient(TokenService, createConnectTransport({ baseUrl: url, httpVersion: "1.1" }));
      for await (const { event } of client.streamTokens({ generation: { input: { case: "prompt", value: prompt }, model } }, { signal })) {
        if (event.case === "delta") await onToken(event.value.text);
      }
    },
  ],
  [
    "gRPC-Web from Chromium",
    async (onToken, signal) => {
      onPageToken = onToken;
      signal.addEventListener("abort", () => void page.evaluate(() => (window as unknown as GrpcWebPageWindow).cancelStream()));
      const ended = await page.evaluate((name) => (window as unknown as GrpcWebPageWindow).streamTokens(name), model);
      if (ended !== "ok") throw new Error(`the page's call ended with ${ended}`);
    },
  ],
  [
    "SSE from the openai client",
    async (onToken, signal) => {
      const client = new OpenAI({ baseURL: `${url}/v1`, apiKey: "unused", maxRetries: 0 });
      const stream = await client.chat.completions.create({ model, messages: [{ role: "user", content: prompt }], stream: true }, { signal });
      for await (const chunk of stream) await onToken(chunk.choices[0]?.delta.content ?? "");
    },
  ],
  [
    "SSE from the AI SDK's transport",
    async (onToken, signal) => {
      const chatId = crypto.randomUUID();
      // A chat's answer outlives its request: the page stops it as docs/ai-sdk.md does, with POST /api/chat/:id/stop.
      signal.addEventListener("abort", () => void fetch(`${url}/api/chat/${chatId}/stop`, { method: "POST", headers: { "content-type": "application/json" } }));
      const transport = new DefaultChatTransport<UIMessage>({ api: `${url}/api/chat`, body: { model } });
      const messages: UIMessage[] = [{ id: "1", role: "user", parts: [{ type: "text", text: prompt }] }];
      const chunks = await transport.sendMessages({ chatId, messages, trigger: "submit-message", messageId: undefined, abortSignal: signal });
      // Node's ReadableStream is async-iterable, which the DOM typings do not say.
      for await (const chunk of chunks as unknown as AsyncIterable<UIMessageChunk>) if (chunk.type === "text-delta") await onToken(chunk.delta);
    },
  ],
];

describe.each(wires)("%s, through nginx as docs/deploy/nginx.conf sets it up", (_, wire) => {
  // The fake upstream sends each token only once the client has seen the one before: a proxy that held a
  // response back until a buffer filled, or until it ended, would stall the stream.
  it("should hand the client each token on its own, as the model sends it", async () => {
    const arrived = tokenwire.upstream.nextRequest();
    const seen: string[] = [];
    await wire(async (text) => {
      if (text === "") return;
      seen.push(text);
      (await arrived).step();
    }, new AbortController().signal);
    expect(seen).toEqual(defaultTokens);
    expect(await (await arrived).ended).toBe("completed");
  });

  it("should close the model's upstream request when the client cancels", async () => {
    const arrived = tokenwire.upstream.nextRequest();
    const controller = new AbortController();
    const call = wire(async (text) => void (text && controller.abort()), controller.signal).catch(() => {});
    const request = await arrived;
    expect(await request.ended).toBe("client-closed");
    expect(request.tokensSent).toBe(1);
    await call;
  });
});

describe("the proxy's other routes", () => {
  it("should answer /healthz from tokenwire, and keep /metrics off the public route", async () => {
    const health = await fetch(`${url}/healthz`);
    expect([health.status, await health.text()]).toEqual([200, "ok\n"]);
    expect((await fetch(`${url}/metrics`)).status).toBe(403);
  });

  it.each(["/v1/chat/completions", "/api/chat"])("should find %s asking a proxy not to buffer it, with X-Accel-Buffering: no", async (path) => {
    const body = path === "/api/chat" ? { messages: [{ id: "1", role: "user", parts: [{ type: "text", text: prompt }] }] } : { messages: [{ role: "user", content: prompt }], stream: true };
    const response = await fetch(`${tokenwire.baseUrl}${path}`, { method: "POST", headers: { "content-type": "application/json" }, body: JSON.stringify(body) });
    expect(response.headers.get("x-accel-buffering")).toBe("no");
    await response.text();
  });
});
