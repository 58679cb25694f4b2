import { execFile } from "node:child_process";
import { writeFile } from "node:fs/promises";
import { join } from "node:path";
import { promisify } from "node:util";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { defaultTokens } from "../fixtures/fake-openai.ts";
import { codeBlock } from "../support/docs.ts";
import { generatePythonStubs, python, removePythonStubs } from "./python-send-client.ts";
import { useInteropServer } from "./use-interop-server.ts";
import { skipWithout } from "../support/test-tiers.ts";

const run = promisify(execFile);
const stack = useInteropServer();
let stubs: string;
beforeAll(async () => {
  stubs = await generatePythonStubs();
});
afterAll(() => removePythonStubs(stubs));

describe.skipIf(skipWithout("python"))("the Python grpcio example of docs/interop.md", () => {
  it("should print the reply's tokens from the server, each followed by |", async () => {
    const code = codeBlock("docs/interop.md", "# Interoperability", "python");
    // Beside the stubs, so that `from openai import …` finds them as it would in the reader's directory.
    const script = join(stubs, "readme_example.py");
    await writeFile(script, code.replace("127.0.0.1:8080", stack.server.target));
    const { stdout } = await run(python, [script]);
    const pieces = stdout.split("|");
    expect(pieces.pop()).toBe("");
    expect(pieces.join("")).toBe(defaultTokens.join(""));
  });
});
