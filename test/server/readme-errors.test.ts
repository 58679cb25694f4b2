import { describe, expect, it } from "vitest";
import { codeToHttpStatus } from "@connectrpc/connect/protocol-connect";
import { codes } from "../../src/core/code.ts";
import { connectCodes } from "../../src/adapters/connect/connect-error-from.ts";
import { httpStatuses } from "../../src/adapters/http-statuses.ts";
import { docSection } from "../support/docs.ts";

/** The rows of the error table of docs/errors.md: code, the gRPC status number in parentheses, and the HTTP status. */
function errorTable(): Map<string, { grpc: number; http: number }> {
  const section = docSection("docs/errors.md", "# Errors");
  const rows = [...section.matchAll(/^\| `(\w+)` \| `\w+` \((\d+)\) \| (\d+) \|/gm)];
  return new Map(rows.map(([, code, grpc, http]) => [code!, { grpc: Number(grpc), http: Number(http) }]));
}

describe("codes", () => {
  it("should each have a row in the error table of docs/errors.md, with the gRPC status it is sent as", () => {
    const table = errorTable();
    expect([...table.keys()].sort()).toEqual([...codes].sort());
    for (const code of codes) expect(table.get(code)?.grpc, code).toBe(connectCodes[code]);
  });

  it("should each answer every HTTP route with the status the README gives, the one Connect answers a unary call with", () => {
    const table = errorTable();
    for (const code of codes) {
      expect(httpStatuses[code], code).toBe(table.get(code)?.http);
      expect(httpStatuses[code], code).toBe(codeToHttpStatus(connectCodes[code]));
    }
  });
});
