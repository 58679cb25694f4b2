import { readdirSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { repoRoot as root } from "../fixtures/tokenwire-process.ts";

/** The documentation's pages, from the repository's root: README.md, CONTRIBUTING.md and every page of docs/. */
export function docPages(): string[] {
  const pages = readdirSync(join(root, "docs")).filter((name) => name.endsWith(".md"));
  return ["README.md", "CONTRIBUTING.md", ...pages.sort().map((name) => `docs/${name}`)];
}

/** The text of a page, such as `README.md` or `docs/errors.md`. */
export function docText(page: string): string {
  return readFileSync(join(root, page), "utf8");
}

/** A page's headings outside code blocks, with their line numbers. */
export function headings(text: string): { level: number; title: string; line: number }[] {
  const found: { level: number; title: string; line: number }[] = [];
  let fenced = false;
  text.split("\n").forEach((line, index) => {
    if (line.startsWith("```")) fenced = !fenced;
    const heading = fenced ? null : /^(#{1,6}) (.+)$/.exec(line);
    if (heading) found.push({ level: heading[1]!.length, title: heading[2]!, line: index });
  });
  return found;
}

/**
 * The part of a page under a heading written as it is (`## Errors`), up to the
 * next heading of its level or above; throws when the page has no such heading,
 * so that a moved section fails its test by name.
 */
export function docSection(page: string, heading: string): string {
  const lines = docText(page).split("\n");
  const all = headings(lines.join("\n"));
  const start = all.find(({ level, title }) => `${"#".repeat(level)} ${title}` === heading);
  if (!start) throw new Error(`${page} has no heading "${heading}"`);
  const end = all.find(({ level, line }) => line > start.line && level <= start.level)?.line ?? lines.length;
  return lines.slice(start.line + 1, end).join("\n");
}

/** The code blocks of a text in one language (`ts`, `sh`, `console`…), in order. */
export function codeBlocks(text: string, lang: string): string[] {
  return [...text.matchAll(new RegExp("^```" + lang + "\\n([\\s\\S]*?)^```", "gm"))].map((match) => match[1]!);
}

/** The first code block of a section in one language; throws when it has none. */
export function codeBlock(page: string, heading: string, lang: string): string {
  const block = codeBlocks(docSection(page, heading), lang)[0];
  if (block === undefined) throw new Error(`${page} has no ${lang} block under "${heading}"`);
  return block;
}

/**
 * A snippet's imports of the package (`"tokenwire"`, `"tokenwire/redis"`…)
 * aimed at the sources those entry points are built from, so that it runs on
 * the checkout as it would on the installed package.
 */
export function withSourceImports(code: string): string {
  const { exports } = JSON.parse(readFileSync(join(root, "package.json"), "utf8")) as { exports: Record<string, { default?: string }> };
  return code.replace(/from "(tokenwire(?:\/[\w-]+)?)";/g, (whole, specifier: string) => {
    const built = exports[specifier.replace(/^tokenwire/, ".")]?.default;
    if (!built) return whole;
    return `from ${JSON.stringify(join(root, built.replace(/^\.\/dist\//, "src/").replace(/\.js$/, ".ts")))};`;
  });
}
