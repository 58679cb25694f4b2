import { afterEach, expect, it } from "vitest";
import { defaultTokens } from "../fixtures/fake-openai.ts";
import { startTokenwireProcess, type TokenwireProcess } from "../fixtures/tokenwire-process.ts";
import { ask, ended, pageServedElsewhere, startLoopbackSite, useChatPage, type LoopbackSite } from "./use-chat-page.ts";

const stack = useChatPage();
let server: TokenwireProcess | undefined;
let site: LoopbackSite | undefined;
afterEach(async () => {
  await server?.stop();
  await site?.close();
  [server, site] = [undefined, undefined];
});

const startServer = async () => (server = await startTokenwireProcess({ upstreamUrl: stack.fake.url, env: { TOKENWIRE_MODELS: "*", OPENAI_MODEL: "paced-20" } }));

it("should say to check that the server is running at its address when it is down", async () => {
  const { url, stop } = await startServer();
  const page = await stack.open({ url: `${url}/` });
  await page.waitForLoadState("networkidle");
  await stop();
  const answer = await ask(page, "Say hello");
  expect(await ended(answer)).toBe("error");
  expect(await answer.locator(".error-code").textContent()).toBe("unavailable");
  expect(await answer.locator(".error-message").textContent()).toBe(`could not reach the tokenwire server at ${url} (Failed to fetch): check that it is running there`);
});

it("should say the connection was lost when the server goes away mid-answer", async () => {
  const { url, child } = await startServer();
  const page = await stack.open({ url: `${url}/`, model: "stall-after-3" });
  const answer = await ask(page, "Say hello");
  await expect.poll(() => answer.locator(".markdown").textContent(), { timeout: 10_000 }).toBe(defaultTokens.slice(0, 3).join(""));
  child.kill("SIGKILL");
  expect(await ended(answer)).toBe("error");
  expect(await answer.locator(".error-message").textContent()).toMatch(new RegExp(`^lost the connection to the tokenwire server at ${url} \\(.+\\): check that it is still running there$`));
});

it("should name the origin to allow in TOKENWIRE_CORS_ORIGINS when the server refuses the page's, from the page's load on", async () => {
  site = await startLoopbackSite(await pageServedElsewhere(() => stack.pageUrl));
  const page = await stack.open({ url: `${site.origin}/` });
  const server = stack.pageUrl.slice(0, -1);
  const advice = `could not reach the tokenwire server at ${server} (Failed to fetch): check that it is running there, and that its TOKENWIRE_CORS_ORIGINS allows this page's origin ${site.origin}`;
  await page.locator("#notice:not([hidden])").waitFor();
  expect(await page.textContent("#notice")).toBe(advice);
  const answer = await ask(page, "Say hello");
  expect(await ended(answer)).toBe("error");
  expect(await answer.locator(".error-message").textContent()).toBe(advice);
  expect(await page.isVisible("#notice")).toBe(false);
});
