import { expect, it } from "vitest";
import { answerTokens, reasoningTokens } from "../fixtures/fake-openai.ts";
import { ask, ended, useChatPage, weatherIn } from "./use-chat-page.ts";

const stack = useChatPage();

it("should render an answer's markdown, with its code highlighted", async () => {
  const page = await stack.open({ model: "markdown" });
  const answer = await ask(page, "Show me markdown");
  expect(await ended(answer)).toBe("done");
  expect(await answer.locator(".markdown h2").textContent()).toBe("Wiring");
  expect(await answer.locator(".markdown strong").textContent()).toBe("bold");
  expect(await answer.locator(".markdown p code").textContent()).toBe("inline code");
  expect(await answer.locator(".markdown li").allTextContents()).toEqual(["one", "two"]);
  expect(await answer.locator(".code-head span").textContent()).toBe("ts");
  expect(await answer.locator("pre code").textContent()).toBe("const answer: number = 42;");
  expect(await answer.locator("pre code .hljs-keyword").first().textContent()).toBe("const");
});

it("should keep the reader's selection in a finished block while the answer streams on", async () => {
  const page = await stack.open({ model: "markdown" });
  const answer = await ask(page, "Show me markdown");
  // The heading is finished once the paragraph after it shows.
  await answer.locator(".markdown p").first().waitFor();
  await page.evaluate(() => document.getSelection()!.selectAllChildren(document.querySelector(".answer .markdown h2")!));
  expect(await answer.getAttribute("data-state")).toBe("streaming");
  expect(await ended(answer)).toBe("done");
  expect(await page.evaluate(() => document.getSelection()!.toString())).toBe("Wiring");
  expect(await page.evaluate(() => document.getSelection()!.anchorNode!.isConnected)).toBe(true);
});

it("should show HTML and script in an answer as text, and run none of it", async () => {
  const page = await stack.open({ model: "html" });
  const answer = await ask(page, "Show me HTML");
  expect(await ended(answer)).toBe("done");
  expect(await answer.locator(".markdown").textContent()).toContain('<img src=x onerror="window.__pwned=1">');
  expect(await answer.locator(".markdown").textContent()).toContain("<script>window.__pwned=2</script>");
  expect(await answer.locator("img, script, [onerror], [onclick], a[href^='javascript']").count()).toBe(0);
  await answer.locator("a", { hasText: "a link" }).click();
  expect(await page.evaluate(() => (window as unknown as { __pwned?: number }).__pwned)).toBeUndefined();
});

it("should show a model's reasoning folded away as Thinking, apart from its answer", async () => {
  const page = await stack.open();
  await page.selectOption("#model", "reasoning");
  const answer = await ask(page, "Hello?");
  expect(await ended(answer)).toBe("done");
  const thinking = answer.locator("details.thinking");
  expect(await thinking.getAttribute("open")).toBeNull();
  expect(await thinking.locator("summary").textContent()).toMatch(/^Thought for /);
  expect(await thinking.locator(".thinking-text").textContent()).toBe(reasoningTokens.join(""));
  expect(await answer.locator(".markdown").textContent()).toBe(answerTokens.join(""));
  expect(await answer.locator(".answer-body > *").evaluateAll((nodes) => nodes.map((node) => node.className))).toEqual(["thinking", "markdown"]);
});

it("should show an agent's tool call and the tool's result as a card, before the answer that follows", async () => {
  const page = await stack.open();
  await page.selectOption("#model", "agent");
  const answer = await ask(page, "What is the weather in Paris?");
  expect(await ended(answer)).toBe("done");
  expect(await answer.locator(".answer-body > *").evaluateAll((nodes) => nodes.map((node) => node.className))).toEqual(["tool-card", "markdown"]);
  const card = answer.locator(".tool-card");
  expect(await card.getAttribute("data-status")).toBe("done");
  expect(await card.locator(".tool-name").textContent()).toBe("get_weather");
  expect(await card.locator(".tool-preview").textContent()).toBe('{"city":"Paris"}');
  await card.locator("summary").click();
  expect(await card.locator(".tool-result pre").textContent()).toBe(weatherIn("Paris"));
  expect(await answer.locator(".markdown").textContent()).toBe(`The tool says: ${weatherIn("Paris")}`);
});
