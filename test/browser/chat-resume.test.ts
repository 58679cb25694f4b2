import { expect, it } from "vitest";
import type { Page } from "playwright-core";
import { answerTokens, defaultTokens, reasoningTokens } from "../fixtures/fake-openai.ts";
import { ask, ended, lastAnswer, messagesOf, useChatPage, weatherIn } from "./use-chat-page.ts";

const stack = useChatPage();
const reply = defaultTokens.join("");

/** Ten tokens 300 ms apart: a page reloads well within the answer. */
const slowModel = "paced-300";

const isCall = (method: string) => (request: { url(): string }) => request.url().endsWith(`/tokenwire.v1.TokenService/${method}`);

/** The texts the answer shows, recorded at each change, from the page's load on. */
async function recordTexts(page: Page): Promise<void> {
  await page.addInitScript(() => {
    const seen: string[] = ((window as unknown as { seen: string[] }).seen = []);
    addEventListener("DOMContentLoaded", () => {
      const record = () => seen.push(document.querySelector(".answer .markdown")?.textContent ?? "");
      new MutationObserver(record).observe(document.getElementById("log")!, { childList: true, characterData: true, subtree: true });
    });
  });
}

it("should resume an answer after a reload mid-answer from where it was painted, and end with the exact text", async () => {
  const page = await stack.open({ model: slowModel });
  const upstream = stack.fake.nextRequest();
  const requestsBefore = stack.fake.requests.length;
  const answer = await ask(page, "Say hello");
  await expect.poll(() => answer.locator(".markdown").textContent(), { timeout: 10_000 }).toMatch(new RegExp(`^${defaultTokens.slice(0, 2).join("")}`));

  await recordTexts(page);
  const resumed = page.waitForRequest(isCall("ResumeStream"));
  await page.reload();
  await resumed;
  // The page came back while the model was still generating: the answer resumed mid-way.
  expect((await upstream).tokensSent).toBeLessThan(defaultTokens.length);

  const again = lastAnswer(page);
  expect(await ended(again)).toBe("done");
  expect(await again.locator(".markdown").textContent()).toBe(reply);
  // Every text shown after the reload extends the one before: painted again, then resumed, never a token twice.
  const seen = await page.evaluate(() => (window as unknown as { seen: string[] }).seen.filter(Boolean));
  expect(seen[0]!.length).toBeGreaterThan(0);
  expect(seen[0]!.length).toBeLessThan(reply.length);
  expect(seen.every((text, i) => text.length <= reply.length && reply.startsWith(text) && (i === 0 || text.startsWith(seen[i - 1]!)))).toBe(true);
  expect(await page.locator(".log > *").evaluateAll((nodes) => nodes.map((node) => node.className))).toEqual(["question", "answer"]);
  expect(await page.locator(".question").textContent()).toBe("Say hello");
  expect(await again.locator(".model").textContent()).toBe(slowModel);
  expect(await again.locator(".usage").textContent()).toBe(`7 in · ${defaultTokens.length} out · ${7 + defaultTokens.length} tokens`);
  // One generation, read by two pages: the model was not asked again.
  expect(stack.fake.requests.length - requestsBefore).toBe(1);
});

it("should keep the conversation across a reload and send it as the history of the next question, until New chat", async () => {
  const page = await stack.open();
  expect(await ended(await ask(page, "First question"))).toBe("done");
  const figures = await lastAnswer(page).locator(".answer-meta").textContent();
  await page.reload();

  const restored = lastAnswer(page);
  expect(await restored.getAttribute("data-state")).toBe("done");
  expect(await restored.locator(".markdown").textContent()).toBe(reply);
  expect(await restored.locator(".answer-meta").textContent()).toBe(figures);
  const second = stack.fake.nextRequest();
  expect(await ended(await ask(page, "Second question"))).toBe("done");
  expect(messagesOf(await second)).toEqual([
    { role: "user", content: "First question" },
    { role: "assistant", content: reply },
    { role: "user", content: "Second question" },
  ]);

  await page.click("#new-chat");
  await page.reload();
  expect(await page.locator(".log > *").count()).toBe(0);
});

it("should paint a model's reasoning and an agent's tool card again after a reload, as they streamed", async () => {
  const page = await stack.open();
  await page.selectOption("#model", "reasoning");
  expect(await ended(await ask(page, "Hello?"))).toBe("done");
  await page.selectOption("#model", "agent");
  expect(await ended(await ask(page, "What is the weather in Paris?"))).toBe("done");
  await page.reload();

  const [thinking, agent] = [page.locator(".answer").first(), page.locator(".answer").last()];
  const parts = (answer: typeof agent) => answer.locator(".answer-body > *").evaluateAll((nodes) => nodes.map((node) => node.className));
  expect(await parts(thinking)).toEqual(["thinking", "markdown"]);
  expect(await thinking.locator(".thinking-text").textContent()).toBe(reasoningTokens.join(""));
  expect(await thinking.locator(".markdown").textContent()).toBe(answerTokens.join(""));
  expect(await parts(agent)).toEqual(["tool-card", "markdown"]);
  const card = agent.locator(".tool-card");
  expect(await card.getAttribute("data-status")).toBe("done");
  expect(await card.locator(".tool-preview").textContent()).toBe('{"city":"Paris"}');
  expect(await card.locator(".tool-result pre").textContent()).toBe(weatherIn("Paris"));
  expect(await agent.locator(".markdown").textContent()).toBe(`The tool says: ${weatherIn("Paris")}`);
});

it("should fall back to aborting the call when StopStream fails, which the server sees once no page reads the stream", async () => {
  const page = await stack.open({ model: "stall-after-3" });
  await page.route("**/tokenwire.v1.TokenService/StopStream", (route) => route.abort());
  const upstream = stack.fake.nextRequest();
  const answer = await ask(page, "Say hello");
  const soFar = defaultTokens.slice(0, 3).join("");
  await expect.poll(() => answer.locator(".markdown").textContent(), { timeout: 10_000 }).toBe(soFar);
  const stopCall = page.waitForRequest(isCall("StopStream"));
  await page.click("#stop");
  await stopCall;
  expect(await ended(answer)).toBe("stopped");
  expect(await answer.locator(".markdown").textContent()).toBe(soFar);
  // The generation goes on for the server's grace period, then its upstream request is closed.
  await (await upstream).clientClosed;
});
