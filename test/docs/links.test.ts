import { existsSync } from "node:fs";
import { dirname, join, normalize } from "node:path";
import { describe, expect, it } from "vitest";
import { repoRoot } from "../fixtures/tokenwire-process.ts";
import { docPages, docText, headings } from "../support/docs.ts";

/** A heading's anchor as GitHub makes it: lower case, punctuation dropped, spaces as hyphens. */
function anchorOf(title: string): string {
  return title
    .toLowerCase()
    .replace(/[^\p{L}\p{N} _-]/gu, "")
    .replaceAll(" ", "-");
}

/** The relative links of a page, outside code blocks and inline code. */
function relativeLinks(text: string): string[] {
  const prose = text.replace(/^```[\s\S]*?^```/gm, "").replace(/`[^`\n]*`/g, "");
  return [...prose.matchAll(/\]\(([^)\s]+)\)/g)].map((match) => match[1]!).filter((target) => !/^[a-z]+:/.test(target));
}

describe("the documentation's links", () => {
  it.each(docPages())("should lead from %s to pages and headings that exist", (page) => {
    const broken = relativeLinks(docText(page)).filter((target) => {
      const [path, anchor] = target.split("#");
      const file = path ? normalize(join(dirname(page), path)) : page;
      if (!existsSync(join(repoRoot, file))) return true;
      return anchor !== undefined && !headings(docText(file)).some(({ title }) => anchorOf(title) === anchor);
    });
    expect(broken).toEqual([]);
  });

  it("should link every page of docs/ from the README", () => {
    const linked = new Set(relativeLinks(docText("README.md")).map((target) => target.split("#")[0]));
    expect(docPages().filter((page) => page.startsWith("docs/") && !linked.has(page))).toEqual([]);
  });
});
