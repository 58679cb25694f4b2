import { describe, expect, it } from "vitest";
import { codes } from "../../src/core/code.ts";
import { connectCodes } from "../../src/adapters/connect/connect-error-from.ts";
import { docSection } from "../support/docs.ts";

/** The rows of the error table of docs/errors.md: code, then the gRPC status number in parentheses. */
function errorTable(): Map<string, number> {
  const section = docSection("docs/errors.md", "# Errors");
  const rows = [...section.matchAll(/^\| `(\w+)` \| `\w+` \((\d+)\) \|/gm)];
  return new Map(rows.map(([, code, status]) => [code!, Number(status)]));
}

describe("codes", () => {
  it("should each have a row in the error table of docs/errors.md, with the gRPC status it is sent as", () => {
    const table = errorTable();
    expect([...table.keys()].sort()).toEqual([...codes].sort());
    for (const code of codes) expect(table.get(code), code).toBe(connectCodes[code]);
  });
});
