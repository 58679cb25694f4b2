import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { readmeConsole, runAsShown, shownPattern } from "../fixtures/readme-console.ts";
import { startTokenwireProcess, type TokenwireProcess } from "../fixtures/tokenwire-process.ts";

const commands = readmeConsole("Command line: `tokenwire ask`");

// npm start's defaults: the local demo model at its own pace, no upstream.
let server: TokenwireProcess;
beforeAll(async () => {
  server = await startTokenwireProcess();
});
afterAll(() => server?.stop());

describe("the README's tokenwire ask commands", () => {
  it("should be there to run", () => {
    expect(commands.map(({ command }) => command.split(" ").slice(0, 3).join(" "))).toEqual(Array(commands.length).fill("npx tokenwire ask"));
    expect(commands.length).toBeGreaterThanOrEqual(4);
  });

  it.each(commands)("should print what the README shows for $command", async ({ command, shown }) => {
    const run = await runAsShown(command, { TOKENWIRE_URL: server.url });
    expect(run.code).toBe(0);
    // A reader that falls behind gets neighbouring answers merged into one, so a separator the README shows may be missing.
    const pattern = shownPattern(shown);
    expect(run.output).toMatch(command.includes("--sep") ? new RegExp(pattern.source.replaceAll("\\|", "\\|?")) : pattern);
  });
});
