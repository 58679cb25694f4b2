import { createHash } from "node:crypto";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, expect, it } from "vitest";
import type { Page, Request } from "playwright-core";
import { defaultTokens } from "../fixtures/fake-openai.ts";
import { startTokenwireProcess, type TokenwireProcess } from "../fixtures/tokenwire-process.ts";
import { ask, ended, lastAnswer, useChatPage } from "./use-chat-page.ts";

const stack = useChatPage();
const reply = defaultTokens.join("");
const key = "tw-page-0123456789abcdef0123";

// `npm start` with a keys file of one caller, as the README's API keys section writes it.
const dir = mkdtempSync(join(tmpdir(), "tokenwire-page-keys-"));
let server: TokenwireProcess;
beforeAll(async () => {
  const keysFile = join(dir, "keys.json");
  writeFileSync(keysFile, JSON.stringify({ callers: [{ name: "reader", keySha256: createHash("sha256").update(key).digest("hex") }] }));
  const env = { TOKENWIRE_API_KEYS_FILE: keysFile, TOKENWIRE_MODELS: "*", OPENAI_MODEL: "paced-20", TOKENWIRE_RESUME_GRACE_MS: "3000" };
  server = await startTokenwireProcess({ upstreamUrl: stack.fake.url, env });
}, 60_000);
afterAll(async () => {
  await server?.stop();
  rmSync(dir, { recursive: true, force: true });
});

const dialog = (page: Page) => page.locator("#key-dialog");
const calls = (page: Page) => {
  const seen: Request[] = [];
  page.on("request", (request) => void (request.url().includes("/tokenwire.v1.TokenService/") && seen.push(request)));
  return seen;
};
const authorizations = (requests: Request[]) => Promise.all(requests.map(async (request) => (await request.allHeaders()).authorization));
const stored = (page: Page) =>
  page.evaluate(() => ({ tab: Object.values({ ...sessionStorage }).filter((value) => value.startsWith("tw-")), browser: Object.values({ ...localStorage }) }));

/** Waits for the key dialog, checks why it asks, and enters `entered`, for the tab or, with `remember`, the browser. */
async function enterKey(page: Page, options: { reason: "missing" | "refused"; entered?: string; remember?: boolean }): Promise<void> {
  await page.locator("#key-dialog[open]").waitFor();
  expect(await dialog(page).getAttribute("data-reason")).toBe(options.reason);
  await dialog(page).locator("input[name=key]").fill(options.entered ?? key);
  if (options.remember) await dialog(page).locator("input[name=remember]").check();
  await dialog(page).locator("button[type=submit]").click();
}

it("should ask for a key when the server refuses the question, stream the answer with it, and send it on every call", async () => {
  const page = await stack.open({ url: `${server.url}/` });
  const seen = calls(page);
  const answer = await ask(page, "Say hello");
  await page.locator("#key-dialog[open]").waitFor();
  expect(await dialog(page).locator(".key-reason").textContent()).toBe("This server needs an API key to answer.");
  expect(await answer.locator(".error-code").textContent()).toBe("unauthenticated");
  expect(await page.isVisible("#forget-key")).toBe(false);

  const before = seen.length;
  await enterKey(page, { reason: "missing" });
  expect(await ended(lastAnswer(page))).toBe("done");
  expect(await lastAnswer(page).locator(".markdown").textContent()).toBe(reply);
  expect(await page.locator(".answer").count()).toBe(1);
  expect(await authorizations(seen.slice(before))).toEqual([`Bearer ${key}`]);
  expect(await stored(page)).toEqual({ tab: [key], browser: [] });
  expect(await page.isVisible("#forget-key")).toBe(true);

  // The kept key goes with ListModels after a reload, and with a stream stopped by StopStream.
  const listed = page.waitForRequest((request) => request.url().endsWith("/ListModels"));
  await page.reload();
  expect((await (await listed).allHeaders()).authorization).toBe(`Bearer ${key}`);
  await page.selectOption("#model", { label: "Other model…" });
  await page.fill("#custom-model", "stall-after-3");
  const upstream = stack.fake.nextRequest();
  const stalled = await ask(page, "Say hello");
  await expect.poll(() => stalled.locator(".markdown").textContent(), { timeout: 10_000 }).toBe(defaultTokens.slice(0, 3).join(""));
  const stopped = page.waitForResponse((response) => response.url().endsWith("/StopStream"));
  await page.click("#stop");
  expect((await stopped).status()).toBe(200);
  expect((await (await stopped).request().allHeaders()).authorization).toBe(`Bearer ${key}`);
  await (await upstream).clientClosed;
  expect(await ended(stalled)).toBe("stopped");
});

it("should send the key when it resumes an answer after a reload", async () => {
  const page = await stack.open({ url: `${server.url}/`, model: "paced-300" });
  await ask(page, "Say hello");
  await enterKey(page, { reason: "missing" });
  await expect.poll(() => lastAnswer(page).locator(".markdown").textContent(), { timeout: 10_000 }).toMatch(/^Hello,/);
  const resumed = page.waitForRequest((request) => request.url().endsWith("/ResumeStream"));
  await page.reload();
  expect((await (await resumed).allHeaders()).authorization).toBe(`Bearer ${key}`);
  expect(await ended(lastAnswer(page))).toBe("done");
  expect(await lastAnswer(page).locator(".markdown").textContent()).toBe(reply);
});

it("should ask again, saying so, when the server refuses the key, and keep no refused key", async () => {
  const page = await stack.open({ url: `${server.url}/` });
  await ask(page, "Say hello");
  await enterKey(page, { reason: "missing", entered: "tw-wrong" });
  await page.locator("#key-dialog[open]").waitFor();
  expect(await dialog(page).locator(".key-reason").textContent()).toBe("The server did not accept that key. Check it and enter it again.");
  expect(await stored(page)).toEqual({ tab: [], browser: [] });
  expect(await page.isVisible("#forget-key")).toBe(false);

  await enterKey(page, { reason: "refused" });
  expect(await ended(lastAnswer(page))).toBe("done");
  expect(await lastAnswer(page).locator(".markdown").textContent()).toBe(reply);
});

it("should keep a key for the browser when asked, until Forget key, after which the server's refusal asks again", async () => {
  const page = await stack.open({ url: `${server.url}/` });
  await ask(page, "Say hello");
  await enterKey(page, { reason: "missing", remember: true });
  expect(await ended(lastAnswer(page))).toBe("done");
  expect(await stored(page)).toEqual({ tab: [], browser: [key] });

  // Another tab of the same browser has the key.
  const other = await page.context().newPage();
  await other.goto(`${server.url}/`);
  expect(await ended(await ask(other, "Say hello"))).toBe("done");
  expect(await other.isVisible("#key-dialog")).toBe(false);

  await other.click("#forget-key");
  expect(await other.isVisible("#forget-key")).toBe(false);
  expect(await stored(other)).toEqual({ tab: [], browser: [] });
  const seen = calls(other);
  const answer = await ask(other, "Say hello again");
  await other.locator("#key-dialog[open]").waitFor();
  expect(await other.locator("#key-dialog").getAttribute("data-reason")).toBe("missing");
  expect(await answer.locator(".error-code").textContent()).toBe("unauthenticated");
  expect(await authorizations(seen)).toEqual([undefined]);
  await other.locator("#key-dialog .key-cancel").click();
  expect(await other.isVisible("#key-dialog")).toBe(false);
  expect(await answer.getAttribute("data-state")).toBe("error");
});

it("should show the model refusing the server's own credentials as an error, not ask for a key", async () => {
  const page = await stack.open({ url: `${server.url}/`, model: "status-401" });
  await ask(page, "Say hello");
  await enterKey(page, { reason: "missing" });
  const answer = lastAnswer(page);
  expect(await ended(answer)).toBe("error");
  expect(await answer.locator(".error-code").textContent()).toBe("unauthenticated");
  expect(await answer.locator(".error-message").textContent()).toBe("the model rejected the server's credentials (upstream HTTP 401)");
  expect(await page.isVisible("#key-dialog")).toBe(false);
});
