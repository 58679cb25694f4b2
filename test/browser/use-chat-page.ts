import { createServer, type RequestListener } from "node:http";
import type { AddressInfo } from "node:net";
import { readFile } from "node:fs/promises";
import { resolve } from "node:path";
import { afterAll, afterEach, beforeAll, beforeEach, expect } from "vitest";
import { chromium, type Browser, type BrowserContext, type Locator, type Page } from "playwright-core";
import { ChatDeepSeek } from "@langchain/deepseek";
import { tool } from "@langchain/core/tools";
import { createAgent } from "langchain";
import { z } from "zod";
import { createTokenwireServer, type TokenwireServer } from "../../src/server/create-tokenwire-server.ts";
import { webPageHandler } from "../../src/app/web-page.ts";
import { createModelCatalog, type ModelSettings } from "../../src/models/model-catalog.ts";
import { openAIModelFactory } from "../../src/models/openai-model.ts";
import type { ModelResolver } from "../../src/core/model-resolver.ts";
import { startFakeOpenAI, type FakeOpenAI } from "../fixtures/fake-openai.ts";
import { skipWithout, testTiers } from "../support/test-tiers.ts";

/** A reply that renders as markdown: a heading, emphasis, a list and a TypeScript code block. */
export const markdownTokens = ["## Wiring", "\n\n", "Use **bold** and `inline code`:", "\n\n", "- one\n", "- two\n\n", "```ts\n", "const answer: number = 42;\n", "```\n"];

/** A reply carrying HTML and script that the page must show as text and never run. */
export const htmlTokens = [
  'Look: <img src=x onerror="window.__pwned=1">',
  " and <script>window.__pwned=2</script>",
  '\n\n<div onclick="window.__pwned=3">a raw block</div>\n\n',
  "[a link](javascript:window.__pwned=4)",
];

/** What the page's `get_weather` tool answers, for the `agent` model's call. */
export const weatherIn = (city: string) => `Sunny in ${city}, 21 °C`;

const getWeather = tool(async ({ city }) => weatherIn(city), {
  name: "get_weather",
  description: "The weather in a city",
  schema: z.object({ city: z.string() }),
});

/** How long the test server goes on generating a resumable stream that no page reads. */
export const resumeGraceMs = 3000;

/** The models the test server lists; any other name passes through to the default fake upstream. */
export const listedModels = ["paced-20", "markdown", "html", "agent", "reasoning"];

/** The servers and browser of a chat page test file, set once `beforeAll` has run. */
export interface ChatPageStack {
  /** The default upstream: its model names pick its behaviour (paced-20, stall-after-3, status-429…). */
  fake: FakeOpenAI;
  /** Upstreams whose default reply is {@link markdownTokens}, 50 ms a token, and {@link htmlTokens}. */
  markdownFake: FakeOpenAI;
  htmlFake: FakeOpenAI;
  server: TokenwireServer;
  pageUrl: string;
  /** The page served from another origin, which names the server in its HTML. */
  otherPageUrl: string;
  /** Opens the page in a fresh browser context, on a transport and a model typed by hand. */
  open(options?: { url?: string; transport?: string; model?: string }): Promise<Page>;
}

/**
 * Registers hooks that start fake OpenAI upstreams, a tokenwire server that
 * serves the chat page, a page on another origin and Chromium before the
 * file's tests, check that no stream is left open after each, and stop them all.
 * Without Chromium, each of the file's tests skips with the reason instead.
 */
export function useChatPage(): ChatPageStack {
  const stack = {} as ChatPageStack;
  const missing = skipWithout("browser");
  // The files' tests stand at the top level, where describe.skipIf cannot reach them: each skips itself.
  if (missing) return (beforeEach((context) => context.skip(missing)), stack);
  const contexts: BrowserContext[] = [];
  let browser: Browser;
  let otherOrigin: LoopbackSite;
  beforeAll(async () => {
    [stack.fake, stack.markdownFake, stack.htmlFake] = await Promise.all([startFakeOpenAI(), startFakeOpenAI({ tokens: markdownTokens, intervalMs: 50 }), startFakeOpenAI({ tokens: htmlTokens })]);
    otherOrigin = await startLoopbackSite(await pageServedElsewhere(() => stack.pageUrl));
    stack.server = createTokenwireServer({
      resolve: testResolver(stack),
      models: { models: listedModels, defaultModel: "paced-20", acceptsAnyModel: true },
      fallback: webPageHandler(),
      cors: { origins: [otherOrigin.origin] },
      // Long enough for a page to reload and resume; short enough that a stream left behind ends within a test.
      streams: { graceMs: resumeGraceMs },
    });
    stack.pageUrl = `http://127.0.0.1:${(await stack.server.listen()).port}/`;
    stack.otherPageUrl = `${otherOrigin.origin}/`;
    browser = await launchChromium();
  }, 60_000);

  stack.open = async ({ url = stack.pageUrl, transport = "connect", model } = {}) => {
    const context = await browser.newContext({ permissions: ["clipboard-read", "clipboard-write"] });
    contexts.push(context);
    const page = await context.newPage();
    await page.goto(url);
    if (transport !== "connect") {
      await page.click("#settings-toggle");
      await page.selectOption("#transport", transport);
      await page.click("#settings .done");
    }
    if (model) {
      await page.selectOption("#model", { label: "Other model…" });
      await page.fill("#custom-model", model);
    }
    return page;
  };

  afterEach(async () => {
    for (const context of contexts.splice(0)) await context.close();
    await expect.poll(() => stack.server.tokenwire.openStreams, { timeout: 5000 }).toBe(0);
  });

  afterAll(async () => {
    await browser?.close();
    await stack.server?.shutdown(100);
    await otherOrigin?.close();
    await Promise.all([stack.fake?.close(), stack.markdownFake?.close(), stack.htmlFake?.close()]);
  });
  return stack;
}

/**
 * The real catalog over the fakes. `markdown` and `html` reach their own
 * upstreams; `agent` runs a LangChain agent with a weather tool, and
 * `reasoning` DeepSeek's client, each over the default fake's script of that name.
 */
function testResolver(stack: ChatPageStack): ModelResolver {
  const upstreams: Record<string, FakeOpenAI | undefined> = { markdown: stack.markdownFake, html: stack.htmlFake };
  const openAI = (settings: ModelSettings) => openAIModelFactory({ baseURL: (upstreams[settings.model] ?? stack.fake).url, maxRetries: 0 })(settings);
  const catalog = createModelCatalog({
    defaultModel: "paced-20",
    createModel: (settings) =>
      settings.model === "reasoning" ? new ChatDeepSeek({ ...settings, apiKey: "test", configuration: { baseURL: stack.fake.url }, maxRetries: 0 }) : openAI(settings),
  });
  return async (request) => {
    const run = await catalog(request);
    if (run.model !== "agent") return run;
    return { ...run, runnable: createAgent({ model: openAI({ model: "agent" }), tools: [getWeather] }), input: { messages: run.input } };
  };
}

/** A web server on a loopback origin of its own, which records the paths it was asked for. */
export interface LoopbackSite {
  /** `http://127.0.0.1:<port>`. */
  origin: string;
  /** Each request's path and query, in the order they came. */
  requests: string[];
  close(): Promise<void>;
}

/** Starts a {@link LoopbackSite} that answers with `respond`; by default a 404 to every request. */
export async function startLoopbackSite(respond: RequestListener = (_req, res) => void res.writeHead(404).end()): Promise<LoopbackSite> {
  const requests: string[] = [];
  const site = createServer((req, res) => {
    requests.push(req.url ?? "");
    respond(req, res);
  });
  await new Promise<void>((resolve) => site.listen(0, "127.0.0.1", resolve));
  return {
    origin: `http://127.0.0.1:${(site.address() as AddressInfo).port}`,
    requests,
    close: () => new Promise((resolve) => (site.closeAllConnections(), site.close(() => resolve()))),
  };
}

/**
 * The chat page as another origin would serve it: the same HTML naming
 * `server()`'s URL in `<meta name="tokenwire-server">`, its script and
 * styles loaded from that server.
 */
export async function pageServedElsewhere(server: () => string): Promise<RequestListener> {
  const html = await readFile(resolve(import.meta.dirname, "../../web/index.html"), "utf8");
  return (req, res) => {
    const base = server().replace(/\/?$/, "/");
    const asset = /^\/(app\.js|app\.css)/.exec(req.url ?? "")?.[1];
    if (asset) return void res.writeHead(302, { location: `${base}${asset}` }).end();
    res.writeHead(200, { "content-type": "text/html" }).end(html.replace("<head>", `<head>\n    <meta name="tokenwire-server" content="${base}" />`));
  };
}

/** Starts Debian's Chromium (or `TOKENWIRE_TEST_CHROMIUM`), headless, with what it would otherwise do in the background turned off. */
export const launchChromium = (): Promise<Browser> =>
  chromium.launch({
    executablePath: testTiers().browser.program,
    args: ["--no-sandbox", "--disable-gpu", "--no-first-run", "--disable-background-networking", "--disable-component-update", "--disable-sync", "--disable-quic"],
  });

/** The page's last answer. */
export const lastAnswer = (page: Page): Locator => page.locator(".answer").last();

/** Types a question into the page, sends it with the Send button, and returns its answer. */
export async function ask(page: Page, question: string): Promise<Locator> {
  await page.fill("#prompt", question);
  await page.click("#send");
  return lastAnswer(page);
}

/** Waits until an answer has ended, and returns how: done, stopped or error. */
export async function ended(answer: Locator): Promise<string | null> {
  await answer.and(answer.page().locator(".answer:not([data-state=streaming])")).waitFor({ timeout: 10_000 });
  return answer.getAttribute("data-state");
}

/** An upstream request's messages, as role and content only. */
export const messagesOf = (request: { body: { messages: { role: string; content: unknown }[] } }) => request.body.messages.map(({ role, content }) => ({ role, content }));
