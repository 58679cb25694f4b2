import { expect, it } from "vitest";
import { defaultTokens } from "../fixtures/fake-openai.ts";
import { ask, ended, lastAnswer, messagesOf, useChatPage } from "./use-chat-page.ts";

const stack = useChatPage();
const reply = defaultTokens.join("");

it("should stack two turns and send the history, the system prompt first, with the settings", async () => {
  const page = await stack.open();
  await page.click("#settings-toggle");
  await page.fill("#system", "Answer briefly.");
  await page.fill("#temperature", "0.3");
  await page.fill("#max-tokens", "64");
  await page.click("#settings .done");

  expect(await ended(await ask(page, "First question"))).toBe("done");
  const second = stack.fake.nextRequest();
  expect(await ended(await ask(page, "Second question"))).toBe("done");

  const { body } = await second;
  expect(messagesOf({ body })).toEqual([
    { role: "system", content: "Answer briefly." },
    { role: "user", content: "First question" },
    { role: "assistant", content: reply },
    { role: "user", content: "Second question" },
  ]);
  expect(body.temperature).toBe(0.3);
  expect(body.max_tokens ?? body.max_completion_tokens).toBe(64);
  expect(await page.locator(".log > *").evaluateAll((nodes) => nodes.map((node) => node.className))).toEqual(["question", "answer", "question", "answer"]);
});

it("should send on Enter, and add a line on Shift+Enter", async () => {
  const page = await stack.open();
  const upstream = stack.fake.nextRequest();
  await page.fill("#prompt", "line one");
  await page.press("#prompt", "Shift+Enter");
  await page.locator("#prompt").pressSequentially("line two");
  expect(await page.inputValue("#prompt")).toBe("line one\nline two");
  await page.press("#prompt", "Enter");
  expect(messagesOf(await upstream)).toEqual([{ role: "user", content: "line one\nline two" }]);
  expect(await page.inputValue("#prompt")).toBe("");
  expect(await page.locator(".question").textContent()).toBe("line one\nline two");
  expect(await ended(lastAnswer(page))).toBe("done");
});

it("should copy an answer, regenerate the last one from the same history, and start a new chat", async () => {
  const page = await stack.open();
  expect(await ended(await ask(page, "Question"))).toBe("done");

  await lastAnswer(page).locator(".copy").click();
  expect(await page.evaluate(() => navigator.clipboard.readText())).toBe(reply);

  const regenerated = stack.fake.nextRequest();
  await lastAnswer(page).locator(".regenerate").click();
  expect(messagesOf(await regenerated)).toEqual([{ role: "user", content: "Question" }]);
  expect(await ended(lastAnswer(page))).toBe("done");
  expect(await page.locator(".answer").count()).toBe(1);
  expect(await lastAnswer(page).locator(".markdown").textContent()).toBe(reply);

  await page.click("#new-chat");
  expect(await page.locator(".log > *").count()).toBe(0);
  const fresh = stack.fake.nextRequest();
  const answer = await ask(page, "Fresh start");
  expect(messagesOf(await fresh)).toEqual([{ role: "user", content: "Fresh start" }]);
  expect(await ended(answer)).toBe("done");
});

it("should send the model chosen in the picker", async () => {
  const page = await stack.open();
  const upstream = stack.markdownFake.nextRequest();
  await page.selectOption("#model", "markdown");
  const answer = await ask(page, "Show me markdown");
  expect((await upstream).body.model).toBe("markdown");
  expect(await ended(answer)).toBe("done");
  expect(await answer.locator(".model").textContent()).toBe("markdown");
});
