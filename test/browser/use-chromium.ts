import { afterAll, afterEach, beforeAll } from "vitest";
import type { Browser, BrowserContext, Page } from "playwright-core";
import { launchChromium } from "./use-chat-page.ts";

/**
 * Registers hooks that launch Chromium before a file's tests, close each
 * test's pages after it and then run `afterEachTest` (a check that no stream
 * is left open), and close Chromium at the end.
 */
export function useChromium(afterEachTest: () => Promise<void>): { newPage(): Promise<Page> } {
  let browser: Browser;
  const contexts: BrowserContext[] = [];
  beforeAll(async () => {
    browser = await launchChromium();
  }, 60_000);
  afterEach(async () => {
    for (const context of contexts.splice(0)) await context.close();
    await afterEachTest();
  });
  afterAll(() => browser?.close());
  return {
    /** A page in a fresh browser context: no cookies or storage from another test. */
    async newPage() {
      const context = await browser.newContext();
      contexts.push(context);
      return context.newPage();
    },
  };
}
