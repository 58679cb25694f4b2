import { readdirSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { settings } from "../../src/config/settings.ts";
import { repoRoot } from "../fixtures/tokenwire-process.ts";

// The README's, or wherever in docs/ the table has gone.
function markdownFiles(): string[] {
  const docs = join(repoRoot, "docs");
  const inDocs = readdirSync(repoRoot).includes("docs") ? readdirSync(docs, { recursive: true, encoding: "utf8" }).map((path) => join(docs, path)) : [];
  return [join(repoRoot, "README.md"), ...inDocs.filter((path) => path.endsWith(".md"))];
}

// The names in the first column of every table whose first column is headed `variable`.
function tabledVariables(markdown: string): string[] {
  const names: string[] = [];
  let inTable = false;
  for (const line of markdown.split("\n")) {
    const first = line.startsWith("|") ? line.split("|")[1]!.trim() : undefined;
    if (first === undefined) inTable = false;
    else if (first === "variable") inTable = true;
    else if (inTable) names.push(...[...first.matchAll(/`([A-Z][A-Z0-9_]*)`/g)].map((match) => match[1]!));
  }
  return names;
}

// The variables src/ reads: `env.NAME`, `env["NAME"]`, and quoted names of the families the start-up check guards.
function variablesInSource(): Set<string> {
  const src = join(repoRoot, "src");
  const files = readdirSync(src, { recursive: true, encoding: "utf8" }).filter((path) => path.endsWith(".ts") && path !== join("config", "settings.ts"));
  const pattern = /\benv(?:\.([A-Z][A-Z0-9_]*)|\["([A-Z][A-Z0-9_]*)"\])|"((?:TOKENWIRE|OPENAI|ANTHROPIC|REDIS|TLS|OTEL)_[A-Z0-9][A-Z0-9_]*)"/g;
  return new Set(files.flatMap((path) => [...readFileSync(join(src, path), "utf8").matchAll(pattern)].map((match) => (match[1] ?? match[2] ?? match[3])!)));
}

describe("settings", () => {
  it("should be what the configuration table lists, each once", () => {
    const tabled = markdownFiles().flatMap((path) => tabledVariables(readFileSync(path, "utf8")));
    const documented = settings.filter((setting) => !setting.internal).map((setting) => setting.name);
    expect(tabled.toSorted()).toEqual(documented.toSorted());
  });

  it("should name every variable the source reads", () => {
    const named = new Set(settings.map((setting) => setting.name));
    expect([...variablesInSource()].filter((name) => !named.has(name))).toEqual([]);
  });
});
