// Turns an answer's markdown into sanitised HTML, one top-level block at a time.
import { Marked, type Token } from "marked";
import DOMPurify from "dompurify";
import hljs from "highlight.js/lib/common";

const marked = new Marked({
  gfm: true,
  renderer: {
    // A model's output is data, not markup: HTML in a reply is shown as the text it is.
    html: ({ text }) => escapeHtml(text),
    code: ({ text, lang }) => codeBlock(text, lang),
    // An image would be fetched as it shows, telling its server whatever its URL carries: it is a link to follow or not.
    image: ({ href, title, text }) => imageLink(href, title ?? "", text),
  },
});

// Links leave the page: a click on one must not replace the conversation.
DOMPurify.addHook("afterSanitizeAttributes", (node) => {
  if (node.tagName !== "A") return;
  node.setAttribute("target", "_blank");
  node.setAttribute("rel", "noopener noreferrer");
});

/** A top-level block of markdown: its source, to tell when it changed, and its sanitised HTML. */
export interface MarkdownBlock {
  source: string;
  html(): string;
}

/**
 * Splits markdown into its top-level blocks. Each block renders on demand, so
 * a caller that already shows a block with the same source can keep it.
 */
export function markdownBlocks(markdown: string): MarkdownBlock[] {
  return marked
    .lexer(markdown)
    .filter((token) => token.type !== "space")
    .map((token: Token) => ({ source: token.raw, html: () => sanitize(marked.parser([token]).trim()) }));
}

/** DOMPurify still runs on what marked made: a renderer bug or a crafted link must not become script. */
function sanitize(html: string): string {
  return DOMPurify.sanitize(html, { ADD_ATTR: ["target"] });
}

function codeBlock(code: string, lang = ""): string {
  const language = /^\S*/.exec(lang)?.[0] ?? "";
  // Known languages only: guessing one on every frame of a growing block costs more than it shows.
  const body = hljs.getLanguage(language) ? hljs.highlight(code, { language, ignoreIllegals: true }).value : escapeHtml(code);
  return (
    `<div class="code-block"><div class="code-head"><span>${escapeHtml(language || "text")}</span>` +
    `<button type="button" class="copy-code">Copy</button></div>` +
    `<pre><code class="hljs">${body}</code></pre></div>`
  );
}

function imageLink(href: string, title: string, alt: string): string {
  return `<a class="image-link" href="${escapeHtml(href)}" title="${escapeHtml(title || href)}">${escapeHtml(alt || href)}</a>`;
}

function escapeHtml(text: string): string {
  return text.replace(/[&<>"']/g, (char) => `&#${char.charCodeAt(0)};`);
}
