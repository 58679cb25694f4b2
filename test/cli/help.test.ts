import { describe, expect, it } from "vitest";
import { commands } from "../../src/cli/main.ts";
import { runTokenwireCli } from "../fixtures/tokenwire-cli.ts";

// No server is called: the URL is never used.
const tokenwire = (...args: string[]) => runTokenwireCli(args, { url: "http://127.0.0.1:9" });

describe("tokenwire --help", () => {
  it("should list every command of the command table in its synopsis, and say what each does", async () => {
    const help = await tokenwire("--help");
    expect(help).toMatchObject({ code: 0, stderr: "" });
    const listed = new Set([...help.stdout.matchAll(/^(?:Usage:)? +tokenwire (\w+)/gm)].map((match) => match[1]));
    expect([...listed].sort()).toEqual(Object.keys(commands).sort());
    for (const name of Object.keys(commands)) expect(help.stdout).toMatch(new RegExp(`^${name} \\w+`, "m"));
  });

  it("should print the same for tokenwire help, -h and no arguments", async () => {
    const { stdout } = await tokenwire("--help");
    for (const args of [["help"], ["-h"], []]) expect(await tokenwire(...args)).toEqual({ code: 0, stdout, stderr: "" });
  }, 60_000); // four runs of the CLI

  it("should give tokenwire serve --help its own page", async () => {
    const run = await tokenwire("serve", "--help");
    expect(run).toMatchObject({ code: 0, stderr: "" });
    expect(run.stdout).toMatch(/^Usage: tokenwire serve\n/);
  });
});
