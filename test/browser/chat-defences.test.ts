import { afterEach, expect, it } from "vitest";
import type { Page } from "playwright-core";
import { pagePolicy } from "../../src/app/web-page.ts";
import { defaultTokens } from "../fixtures/fake-openai.ts";
import { ask, ended, listedModels, startLoopbackSite, useChatPage, type LoopbackSite } from "./use-chat-page.ts";

const stack = useChatPage();
const sites: LoopbackSite[] = [];
afterEach(async () => {
  for (const site of sites.splice(0)) await site.close();
});

/** A loopback site of the test's own, closed after the test. */
async function site(...args: Parameters<typeof startLoopbackSite>): Promise<LoopbackSite> {
  const started = await startLoopbackSite(...args);
  sites.push(started);
  return started;
}

type Violation = { directive: string; blocked: string };

/** Records, from the page's load on, each thing its policy refused. */
async function recordViolations(page: Page): Promise<() => Promise<Violation[]>> {
  await page.addInitScript(() => {
    const seen: Violation[] = ((window as unknown as { violations: Violation[] }).violations = []);
    addEventListener("securitypolicyviolation", (event) => seen.push({ directive: event.effectiveDirective, blocked: event.blockedURI }));
  });
  return () => page.evaluate(() => (window as unknown as { violations: Violation[] }).violations);
}

it("should serve the page, its script and its styles with the policy, nosniff and no referrer", async () => {
  for (const path of ["", "app.js", "app.css", "no-such-file"]) {
    const response = await fetch(`${stack.pageUrl}${path}`);
    expect(response.headers.get("content-security-policy")).toBe(pagePolicy);
    expect(response.headers.get("x-content-type-options")).toBe("nosniff");
    expect(response.headers.get("referrer-policy")).toBe("no-referrer");
  }
  expect(pagePolicy.split("; ")).toEqual(
    expect.arrayContaining(["script-src 'self'", "style-src 'self'", "connect-src 'self'", "img-src 'self' data:", "frame-ancestors 'none'"]),
  );
});

it("should work under its policy: markdown, code, reasoning, a tool card and the settings, with nothing refused", async () => {
  const page = await stack.open();
  const violations = await recordViolations(page);
  await page.reload();
  await page.click("#settings-toggle");
  await page.fill("#system", "Answer briefly.");
  await page.click("#settings .done");
  for (const model of ["markdown", "reasoning", "agent"]) {
    await page.selectOption("#model", model);
    expect(await ended(await ask(page, "Show me"))).toBe("done");
  }
  expect(await page.locator(".answer pre code .hljs-keyword").count()).toBeGreaterThan(0);
  expect(await page.locator(".answer .tool-card").count()).toBe(1);
  // The styles apply: the composer is laid out as a row, as app.css says.
  expect(await page.locator("#composer").evaluate((node) => getComputedStyle(node).display)).toBe("flex");
  expect(await violations()).toEqual([]);
});

it("should show a reply's image as a link, and fetch nothing from its address", async () => {
  const leak = await site();
  const address = `${leak.origin}/leak?q=secret`;
  const page = await stack.open({ model: "echo" });
  // The echo model answers with the question's words: the reply holds the image's markdown.
  const answer = await ask(page, `Here: ![a chart](${address}) and ![](${address}&bare)`);
  expect(await ended(answer)).toBe("done");
  const links = answer.locator(".markdown a.image-link");
  expect(await links.evaluateAll((nodes) => nodes.map((node) => [node.getAttribute("href"), node.textContent]))).toEqual([
    [address, "a chart"],
    [`${address}&bare`, `${address}&bare`],
  ]);
  expect(await page.locator("img").count()).toBe(0);
  await page.waitForLoadState("networkidle");
  expect(leak.requests).toEqual([]);
});

it("should refuse an image from another address that reaches the page any other way", async () => {
  const leak = await site();
  const page = await stack.open();
  const violations = await recordViolations(page);
  await page.reload();
  const address = `${leak.origin}/leak?q=secret`;
  // As if a renderer let an image through: the browser itself must not fetch it.
  const loaded = await page.evaluate(
    (src) =>
      new Promise<boolean>((resolve) => {
        const image = Object.assign(new Image(), { src, onload: () => resolve(true), onerror: () => resolve(false) });
        document.body.append(image);
      }),
    address,
  );
  expect(loaded).toBe(false);
  expect(await violations()).toEqual([{ directive: "img-src", blocked: address }]);
  expect(leak.requests).toEqual([]);
});

it("should call the server that serves it, whatever ?server= in its address says", async () => {
  const elsewhere = await site();
  const page = await stack.open({ url: `${stack.pageUrl}?server=${encodeURIComponent(elsewhere.origin)}` });
  const answer = await ask(page, "Say hello");
  expect(await ended(answer)).toBe("done");
  expect(await answer.locator(".markdown").textContent()).toBe(defaultTokens.join(""));
  expect(await page.locator("#model option").allTextContents()).toEqual([...listedModels, "Other model…"]);
  expect(elsewhere.requests).toEqual([]);
});

it("should refuse to be framed by a page of another origin", async () => {
  const framing = await site((_req, res) => void res.writeHead(200, { "content-type": "text/html" }).end(`<iframe src="${stack.pageUrl}"></iframe>`));
  const page = await stack.open({ url: "about:blank" });
  const refusals: string[] = [];
  page.on("console", (message) => void (message.text().includes("frame-ancestors") && refusals.push(message.text())));
  await page.goto(framing.origin, { waitUntil: "load" });
  const frame = page.frames().find((candidate) => candidate !== page.mainFrame());
  expect(frame).toBeDefined();
  expect(await frame!.evaluate(() => document.getElementById("composer"))).toBeNull();
  expect(refusals).toEqual([expect.stringContaining(`Framing '${stack.pageUrl}' violates the following Content Security Policy directive: "frame-ancestors 'none'"`)]);
});
