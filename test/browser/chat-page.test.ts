import { createServer, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { readFile } from "node:fs/promises";
import { resolve } from "node:path";
import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest";
import { chromium, type Browser, type Page } from "playwright-core";
import { createTokenwireServer, type TokenwireServer } from "../../src/server/create-tokenwire-server.ts";
import { webPageHandler } from "../../src/server/web-page.ts";
import { createModelCatalog } from "../../src/models/model-catalog.ts";
import { openAIModelFactory } from "../../src/models/openai-model.ts";
import { defaultTokens, startFakeOpenAI, type FakeOpenAI } from "../fixtures/fake-openai.ts";

let fake: FakeOpenAI;
let server: TokenwireServer;
let otherOrigin: Server;
let browser: Browser;
let pageUrl: string;
let otherPageUrl: string;
const pages: Page[] = [];

// A page on another origin: the same HTML, its script loaded from the tokenwire server.
async function startOtherOrigin(): Promise<Server> {
  const html = await readFile(resolve(import.meta.dirname, "../../web/index.html"), "utf8");
  const other = createServer((req, res) => {
    if (req.url?.startsWith("/app.js")) return void res.writeHead(302, { location: `${pageUrl}app.js` }).end();
    res.writeHead(200, { "content-type": "text/html" }).end(html);
  });
  await new Promise<void>((resolve) => other.listen(0, "127.0.0.1", resolve));
  return other;
}

beforeAll(async () => {
  fake = await startFakeOpenAI();
  otherOrigin = await startOtherOrigin();
  const origin = `http://127.0.0.1:${(otherOrigin.address() as AddressInfo).port}`;
  server = createTokenwireServer({
    resolve: createModelCatalog({ defaultModel: "paced-20", createModel: openAIModelFactory({ baseURL: fake.url, maxRetries: 0 }) }),
    fallback: webPageHandler(),
    cors: { origins: [origin] },
  });
  pageUrl = `http://127.0.0.1:${(await server.listen()).port}/`;
  otherPageUrl = `${origin}/?server=${encodeURIComponent(pageUrl.slice(0, -1))}`;
  browser = await chromium.launch({
    executablePath: "/usr/bin/chromium",
    args: ["--no-sandbox", "--disable-gpu", "--no-first-run", "--disable-background-networking", "--disable-component-update", "--disable-sync", "--disable-quic"],
  });
}, 60_000);

afterEach(async () => {
  for (const page of pages.splice(0)) await page.close();
  await expect.poll(() => server.tokenwire.openStreams, { timeout: 5000 }).toBe(0);
});

afterAll(async () => {
  await browser?.close();
  await server?.shutdown(100);
  await new Promise((resolve) => otherOrigin?.close(resolve));
  await fake?.close();
});

async function openChat(url: string, { transport, model }: { transport: string; model: string }): Promise<Page> {
  const page = await browser.newPage();
  pages.push(page);
  await page.goto(url);
  await page.selectOption("#transport", transport);
  await page.fill("#model", model);
  await page.fill("#prompt", "Say hello");
  // Records every text the output shows, to tell a streamed reply from one painted at the end.
  await page.evaluate(() => {
    const output = document.getElementById("output")!;
    const seen: string[] = ((window as unknown as { seen: string[] }).seen = []);
    new MutationObserver(() => seen.push(output.textContent ?? "")).observe(output, { childList: true, characterData: true, subtree: true });
  });
  return page;
}

const status = (page: Page) => page.textContent("#status");

describe.each(["connect", "grpc-web"])("chat page over %s", (transport) => {
  it("should paint the reply token by token and end with all of it", async () => {
    const page = await openChat(pageUrl, { transport, model: "paced-20" });
    await page.click("#send");
    await expect.poll(() => status(page), { timeout: 10_000 }).toBe("done");
    expect(await page.textContent("#output")).toBe(defaultTokens.join(""));
    const seen = await page.evaluate(() => (window as unknown as { seen: string[] }).seen.filter(Boolean));
    expect(seen.length).toBeGreaterThan(1);
    expect(seen.every((text, i) => i === 0 || text.startsWith(seen[i - 1]!))).toBe(true);
    expect(await page.textContent("#ttft")).toMatch(/\d+ ms/);
    expect(await page.textContent("#rate")).toMatch(/tokens\/s/);
  });

  it("should show partial text while the stream is open, and Stop should close the upstream request", async () => {
    const page = await openChat(pageUrl, { transport, model: "stall-after-3" });
    const upstream = fake.nextRequest();
    await page.click("#send");
    // The fake upstream sends three tokens and then nothing: the stream cannot have ended.
    await expect.poll(() => page.textContent("#output"), { timeout: 10_000 }).toBe(defaultTokens.slice(0, 3).join(""));
    expect(await status(page)).toBe("streaming");
    await page.click("#stop");
    await (await upstream).clientClosed;
    await expect.poll(() => status(page)).toBe("stopped");
  });

  it("should stream to a page on another origin that the server allows", async () => {
    const page = await openChat(otherPageUrl, { transport, model: "paced-20" });
    await page.click("#send");
    await expect.poll(() => status(page), { timeout: 10_000 }).toBe("done");
    expect(await page.textContent("#output")).toBe(defaultTokens.join(""));
  });
});
