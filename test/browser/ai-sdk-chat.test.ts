import { readFile } from "node:fs/promises";
import { resolve } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { build } from "esbuild";
import type { Page, Response } from "playwright-core";
import type { UIMessage } from "ai";
import type { NodeHandler } from "../../src/adapters/node/one-port-server.ts";
import { defaultTokens } from "../fixtures/fake-openai.ts";
import type { ChatPageWindow } from "../fixtures/ai-sdk-chat-page/use-chat.ts";
import { startTokenwireServer, type TestServer } from "../support/tokenwire-test-server.ts";
import { codeBlocks, docSection } from "../support/docs.ts";
import { useChromium } from "./use-chromium.ts";
import { skipWithout } from "../support/test-tiers.ts";

const pageDir = resolve(import.meta.dirname, "../fixtures/ai-sdk-chat-page");
const reply = defaultTokens.join("");
/** Ten tokens 300 ms apart: a page reloads, or stops, well within the answer. */
const slowModel = "paced-300";

/**
 * The page's script: the snippet of docs/ai-sdk.md for useChat users as written (its
 * stopping fetch, and `useChat({ resume: true, … })`), over the page's
 * framework-free `useChat`, bundled in memory.
 */
async function bundlePage(): Promise<string> {
  const snippet = codeBlocks(docSection("docs/ai-sdk.md", "## tokenwireUIMessageHandler()"), "ts").find((code) => code.includes("useChat({ resume: true"));
  if (!snippet) throw new Error("the tokenwireUIMessageHandler() section of docs/ai-sdk.md has no ts block with useChat({ resume: true … })");
  const contents = `import { DefaultChatTransport } from "ai";\nimport { useChat } from "./use-chat.ts";\n${snippet}`;
  const result = await build({
    stdin: { contents, resolveDir: pageDir, sourcefile: "docs-use-chat.ts", loader: "ts" },
    bundle: true,
    write: false,
    format: "iife",
    platform: "browser",
    target: "es2022",
    logLevel: "silent",
  });
  return result.outputFiles[0]!.text;
}

/** Serves the page at `/` and its script at `/app.js`, on the server's own origin. */
function pageHandler(files: { html: string; script: string }): NodeHandler {
  const served: Record<string, [string, string]> = { "/": ["text/html; charset=utf-8", files.html], "/app.js": ["text/javascript; charset=utf-8", files.script] };
  return (req, res) => {
    const file = served[req.url?.split("?")[0] ?? ""];
    res.writeHead(file ? 200 : 404, { "content-type": file?.[0] ?? "text/plain" });
    res.end(file?.[1] ?? "not found\n");
  };
}

let server: TestServer;
const chromium = useChromium(() => server.settled());

beforeAll(async () => {
  const [html, script] = await Promise.all([readFile(resolve(pageDir, "index.html"), "utf8"), bundlePage()]);
  // A grace long enough for a page to reload and resume.
  server = await startTokenwireServer({ fallback: pageHandler({ html, script }), streams: { graceMs: 3000 } });
}, 60_000);

afterAll(() => server?.close());

/** Runs `load` (a visit or a reload) and resolves with the response to the reconnect that the Chat sends on load. */
async function reconnectOf(page: Page, chatId: string, load: () => Promise<unknown>): Promise<Response> {
  const reconnect = page.waitForResponse((response) => response.url().endsWith(`/api/chat/${chatId}/stream`));
  await load();
  return reconnect;
}

/** Opens the page on a new chat in a fresh browser context, with `model` for the messages it sends. */
async function open(model: string): Promise<{ page: Page; chatId: string }> {
  const chatId = `chat-${crypto.randomUUID()}`;
  const page = await chromium.newPage();
  // A new chat has no answer to resume.
  expect((await reconnectOf(page, chatId, () => page.goto(`${server.baseUrl}/?chat=${chatId}&model=${model}`))).status()).toBe(204);
  return { page, chatId };
}

async function send(page: Page, text: string): Promise<void> {
  await page.fill("#prompt", text);
  await page.click("#send");
}

const messages = (page: Page) => page.evaluate(() => (window as unknown as ChatPageWindow).chat.messages);
const shown = (page: Page) => page.evaluate(() => (window as unknown as ChatPageWindow).shown);
const answerText = (page: Page) => page.locator(".message[data-role=assistant]").last().textContent();
const roles = (list: UIMessage[]) => list.map((message) => message.role);

/** Waits until the page shows the first two tokens of the answer. */
const answerStarted = (page: Page) => expect.poll(() => answerText(page), { timeout: 10_000 }).toMatch(new RegExp(`^${defaultTokens.slice(0, 2).join("")}`));

/**
 * Clicks Stop, checks that the page asked the server to stop the answer and
 * that the upstream saw its request closed early, and returns the answer as it
 * stopped: the start of the reply.
 */
async function stopShortOf(page: Page, chatId: string, upstream: ReturnType<TestServer["upstream"]["nextRequest"]>): Promise<string> {
  const stopped = page.waitForResponse((response) => response.url().endsWith(`/api/chat/${chatId}/stop`));
  await page.click("#stop");
  expect(await (await stopped).json()).toEqual({ stopped: true });
  const request = await upstream;
  expect(await request.ended).toBe("client-closed");
  expect(request.tokensSent).toBeLessThan(defaultTokens.length);
  await expect.poll(() => page.textContent("#status")).toBe("ready");
  const text = (await answerText(page))!;
  expect(text.length).toBeLessThan(reply.length);
  expect(reply.startsWith(text)).toBe(true);
  return text;
}

describe.skipIf(skipWithout("browser"))("the AI SDK's Chat in Chromium, against POST /api/chat", () => {
  it("should show the answer growing as it streams, and end with the whole reply as one text part", async () => {
    const { page } = await open("paced-20");
    await send(page, "Say hello");
    await expect.poll(() => page.textContent("#status"), { timeout: 10_000 }).toBe("ready");
    expect(await answerText(page)).toBe(reply);
    const texts = await shown(page);
    // Painted token by token: several texts, each the one before and more.
    expect(texts.length).toBeGreaterThan(1);
    expect(texts.every((text, i) => i === 0 || text.startsWith(texts[i - 1]!))).toBe(true);
    expect(texts.at(-1)).toBe(reply);
    const [question, answer] = await messages(page);
    expect(question).toMatchObject({ role: "user", parts: [{ type: "text", text: "Say hello" }] });
    expect(answer).toMatchObject({ role: "assistant", parts: [{ type: "text", text: reply, state: "done" }] });
    expect(answer!.parts).toHaveLength(1);
  });

  it("should resume the same chat's answer after a reload mid-answer, and end with it whole and once, the model asked once", async () => {
    const { page, chatId } = await open(slowModel);
    const upstream = server.upstream.nextRequest();
    const requestsBefore = server.upstream.requests.length;
    await send(page, "Say hello");
    await answerStarted(page);

    expect((await reconnectOf(page, chatId, () => page.reload())).status()).toBe(200);
    // The page came back while the model was still generating.
    expect((await upstream).tokensSent).toBeLessThan(defaultTokens.length);

    await expect.poll(() => page.textContent("#status"), { timeout: 10_000 }).toBe("ready");
    expect(await page.locator(".message").evaluateAll((nodes) => nodes.map((node) => node.textContent))).toEqual(["Say hello", reply]);
    const after = await messages(page);
    expect(roles(after)).toEqual(["user", "assistant"]);
    expect(after[1]!.parts).toMatchObject([{ type: "text", text: reply, state: "done" }]);
    // The reloaded page showed the answer unfinished before its end: it was resumed, not fetched whole.
    expect((await shown(page)).some((text) => text.length > 0 && text.length < reply.length)).toBe(true);
    expect(await (await upstream).ended).toBe("completed");
    expect(server.upstream.requests.length - requestsBefore).toBe(1);
  });

  it("should stop the model when the page stops: Chat's stop() and the documented POST /api/chat/:id/stop", async () => {
    const { page, chatId } = await open(slowModel);
    const upstream = server.upstream.nextRequest();
    await send(page, "Say hello");
    await answerStarted(page);

    const text = await stopShortOf(page, chatId, upstream);
    expect(await page.textContent("#error")).toBe("");
    // Nothing is left to resume: a reload shows the answer as it stopped.
    expect((await reconnectOf(page, chatId, () => page.reload())).status()).toBe(204);
    expect(await answerText(page)).toBe(text);
  });

  it("should stop the model when the page stops an answer it resumed after a reload", async () => {
    const { page, chatId } = await open(slowModel);
    const upstream = server.upstream.nextRequest();
    await send(page, "Say hello");
    await answerStarted(page);
    expect((await reconnectOf(page, chatId, () => page.reload())).status()).toBe(200);
    await answerStarted(page);

    await stopShortOf(page, chatId, upstream);
  });

  it("should show tokenwire's message as the Chat's error when the upstream refuses", async () => {
    const { page } = await open("status-429");
    await send(page, "Say hello");
    await expect.poll(() => page.textContent("#status"), { timeout: 10_000 }).toBe("error");
    expect(await page.textContent("#error")).toBe("the model is rate limited (upstream HTTP 429)");
    expect(roles(await messages(page))).toEqual(["user"]);
  });
});
