import { describe, expect, it } from "vitest";
import { defaultTokens } from "../fixtures/fake-openai.ts";
import { ask, ended, listedModels, useChatPage } from "./use-chat-page.ts";

const stack = useChatPage();

it("should load its script, styles and icon with no failed request, and offer the server's models with its default selected", async () => {
  const page = await stack.open();
  // The first load's own requests end before the reload, so that none of them is cut off by it.
  await page.waitForLoadState("networkidle");
  const failed: string[] = [];
  page.on("response", (response) => void (response.status() >= 400 && failed.push(`${response.status()} ${response.url()}`)));
  page.on("requestfailed", (request) => void failed.push(`failed ${request.url()}`));
  await page.reload({ waitUntil: "networkidle" });
  expect(failed).toEqual([]);
  expect(await page.locator("#model option").allTextContents()).toEqual([...listedModels, "Other model…"]);
  expect(await page.inputValue("#model")).toBe("paced-20");
  expect(await page.locator("link[rel=icon]").getAttribute("href")).toMatch(/^data:image\/svg\+xml,/);
});

describe.each(["connect", "grpc-web"])("chat page over %s", (transport) => {
  it("should paint the answer token by token, end with all of it, and show its figures", async () => {
    const page = await stack.open({ transport });
    // Records each text the answer shows, to tell a streamed answer from one painted at the end.
    await page.evaluate(() => {
      const seen: string[] = ((window as unknown as { seen: string[] }).seen = []);
      const record = () => seen.push(document.querySelector(".answer .markdown")?.textContent ?? "");
      new MutationObserver(record).observe(document.getElementById("log")!, { childList: true, characterData: true, subtree: true });
    });
    const answer = await ask(page, "Say hello");
    expect(await ended(answer)).toBe("done");
    expect(await answer.locator(".markdown").textContent()).toBe(defaultTokens.join(""));
    const seen = await page.evaluate(() => (window as unknown as { seen: string[] }).seen.filter(Boolean));
    expect(seen.length).toBeGreaterThan(1);
    expect(seen.every((text, i) => i === 0 || text.startsWith(seen[i - 1]!))).toBe(true);
    expect(await answer.locator(".model").textContent()).toBe("paced-20");
    expect(await answer.locator(".ttft").textContent()).toMatch(/^first token \d+ ms$/);
    expect(await answer.locator(".rate").textContent()).toMatch(/^\d+\.\d tokens\/s$/);
    expect(await answer.locator(".usage").textContent()).toBe(`7 in · ${defaultTokens.length} out · ${7 + defaultTokens.length} tokens`);
  });

  it("should show the text so far while the stream is open, and Stop should stop the generation with StopStream", async () => {
    const page = await stack.open({ transport, model: "stall-after-3" });
    const upstream = stack.fake.nextRequest();
    const answer = await ask(page, "Say hello");
    // The fake upstream sends three tokens and then nothing: the stream cannot have ended.
    const soFar = defaultTokens.slice(0, 3).join("");
    await expect.poll(() => answer.locator(".markdown").textContent(), { timeout: 10_000 }).toBe(soFar);
    expect(await answer.getAttribute("data-state")).toBe("streaming");
    const stopped = page.waitForResponse((response) => response.url().endsWith("/tokenwire.v1.TokenService/StopStream"));
    await page.click("#stop");
    expect((await stopped).status()).toBe(200);
    await (await upstream).clientClosed;
    expect(await ended(answer)).toBe("stopped");
    expect(await answer.locator(".markdown").textContent()).toBe(soFar);
    expect(await answer.locator(".note").textContent()).toBe("stopped");
  });

  it("should show an error where the answer would be, with its code", async () => {
    const page = await stack.open({ transport, model: "status-429" });
    const answer = await ask(page, "Say hello");
    expect(await ended(answer)).toBe("error");
    expect(await answer.locator(".error .error-code").textContent()).toBe("resource_exhausted");
    expect(await answer.locator(".error .error-message").textContent()).toContain("rate limited");
  });

  it("should stream to a page on another origin that the server allows", async () => {
    const page = await stack.open({ url: stack.otherPageUrl, transport });
    const answer = await ask(page, "Say hello");
    expect(await ended(answer)).toBe("done");
    expect(await answer.locator(".markdown").textContent()).toBe(defaultTokens.join(""));
  });
});
