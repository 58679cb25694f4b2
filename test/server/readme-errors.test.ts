import { readFileSync } from "node:fs";
import { describe, expect, it } from "vitest";
import { codes } from "../../src/core/code.ts";
import { connectCodes } from "../../src/adapters/connect/connect-error-from.ts";

/** The rows of the README's error table: code, then the gRPC status number in parentheses. */
function errorTable(): Map<string, number> {
  const readme = readFileSync(new URL("../../README.md", import.meta.url), "utf8");
  const section = readme.split(/^## /m).find((part) => part.startsWith("Errors\n")) ?? "";
  const rows = [...section.matchAll(/^\| `(\w+)` \| `\w+` \((\d+)\) \|/gm)];
  return new Map(rows.map(([, code, status]) => [code!, Number(status)]));
}

describe("codes", () => {
  it("should each have a row in the README's error table, with the gRPC status it is sent as", () => {
    const table = errorTable();
    expect([...table.keys()].sort()).toEqual([...codes].sort());
    for (const code of codes) expect(table.get(code), code).toBe(connectCodes[code]);
  });
});
