import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { docsConsole, runAsShown, shownPattern } from "../fixtures/docs-console.ts";
import { startTokenwireProcess, type TokenwireProcess } from "../fixtures/tokenwire-process.ts";

const commands = docsConsole("docs/cli.md", "# The command line: `tokenwire`");

// npm start's defaults: the local demo model at its own pace, no upstream.
let server: TokenwireProcess;
beforeAll(async () => {
  server = await startTokenwireProcess();
});
afterAll(() => server?.stop());

// The page shows a stream id as a server hands them out; the tests' server hands out others. Each id the page
// shows after `stream id:` stands for the one its command printed, in the later commands and in what they print.
const streamIds = new Map<string, string>();
const shownIdOf = (text: string) => /^stream id: (\S+)$/m.exec(text)?.[1];
const replaceAll = (text: string, pairs: Iterable<[string, string]>) => [...pairs].reduce((result, [from, to]) => result.replaceAll(from, to), text);

describe("the tokenwire ask commands of docs/cli.md", () => {
  it("should be there to run", () => {
    expect(commands.filter(({ command }) => !/^npx tokenwire (ask|stop) /.test(command))).toEqual([]);
    expect(commands.length).toBeGreaterThanOrEqual(7);
  });

  // In the page's order: a command may resume or stop the stream an earlier one started.
  it.each(commands)("should print what docs/cli.md shows for $command", async ({ command, shown }) => {
    const run = await runAsShown(replaceAll(command, streamIds), { TOKENWIRE_URL: server.url });
    expect(run.code).toBe(0);
    const [pageId, printedId] = [shownIdOf(shown), shownIdOf(run.output)];
    if (pageId && printedId) streamIds.set(pageId, printedId);
    const output = replaceAll(run.output, [...streamIds].map(([page, printed]): [string, string] => [printed, page]));
    // A reader that falls behind gets neighbouring answers merged into one, so a separator the page shows may be missing.
    const pattern = shownPattern(shown);
    expect(output).toMatch(command.includes("--sep") ? new RegExp(pattern.source.replaceAll("\\|", "\\|?")) : pattern);
  });
});
