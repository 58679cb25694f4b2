import { execFile } from "node:child_process";
import { mkdtempSync } from "node:fs";
import { createServer, type Server } from "node:net";
import { availableParallelism, tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { docsConsole, runAsShown, shownPattern } from "../fixtures/docs-console.ts";
import { selfSignedCert } from "../fixtures/self-signed-cert.ts";
import { projectNode, repoRoot, startTokenwireProcess } from "../fixtures/tokenwire-process.ts";
import { writeModelsFile } from "../support/models-file.ts";

/** What `npm start` printed and how it ended, when it could not start. */
interface Failure {
  code: number | null;
  stdout: string;
  stderr: string;
}

// `npm start`'s entry point with only the given settings (and the local demo model), run until it exits.
function startFailing(env: Record<string, string>): Promise<Failure> {
  const settings = { PATH: process.env.PATH ?? "", HOST: "127.0.0.1", PORT: "0", ...env };
  return new Promise((resolve) => {
    const child = execFile(projectNode, ["src/app/main.ts"], { cwd: repoRoot, env: settings, timeout: 20_000 }, (_error, stdout, stderr) =>
      resolve({ code: child.exitCode, stdout, stderr }),
    );
  });
}

const dir = mkdtempSync(join(tmpdir(), "tokenwire-startup-"));
const [one, other] = [selfSignedCert(dir, "one"), selfSignedCert(dir, "other")];
const misspeltModels = writeModelsFile({ providers: [{ name: "ollama", type: "openai", baseURL: "http://127.0.0.1:11434/v1", models: ["llama3.2"] }] });

let taken: Server;
let takenPort: number;
beforeAll(async () => {
  taken = createServer();
  await new Promise<void>((resolve) => taken.listen(0, "127.0.0.1", resolve));
  takenPort = (taken.address() as { port: number }).port;
});
afterAll(() => new Promise<void>((resolve) => taken.close(() => resolve())));

describe("npm start with a setting it cannot run with", () => {
  it.for([
    ["PORT=-1", { PORT: "-1" }, 'PORT must be a port number from 0 to 65535 (0 picks a free port), not "-1"'],
    ["PORT=99999", { PORT: "99999" }, 'PORT must be a port number from 0 to 65535 (0 picks a free port), not "99999"'],
    ["PORT=abc", { PORT: "abc" }, 'PORT must be a port number from 0 to 65535 (0 picks a free port), not "abc"'],
    ["TOKENWIRE_MAX_STREAMS=0", { TOKENWIRE_MAX_STREAMS: "0" }, 'TOKENWIRE_MAX_STREAMS must be a whole number of 1 or more, not "0"'],
    ["a missing TLS file", { TLS_CERT_FILE: join(dir, "missing.pem"), TLS_KEY_FILE: one.key }, `TLS_CERT_FILE=${join(dir, "missing.pem")} cannot be read (no such file): set it to a PEM file this user can read`],
    ["a TLS file that is a directory", { TLS_CERT_FILE: one.cert, TLS_KEY_FILE: dir }, `TLS_KEY_FILE=${dir} cannot be read (a directory): set it to a PEM file this user can read`],
    ["the key of another certificate", { TLS_CERT_FILE: one.cert, TLS_KEY_FILE: other.key }, `TLS_KEY_FILE=${other.key} is not the key of TLS_CERT_FILE=${one.cert}: set the two to a certificate and its own key`],
    ["credentials in OPENAI_BASE_URL", { OPENAI_BASE_URL: "http://user:sk-secret@127.0.0.1:9/v1" }, "OPENAI_BASE_URL carries a user name or password, which fetch refuses to send: put the key in OPENAI_API_KEY and give OPENAI_BASE_URL without them"],
    ["a key with its line break", { OPENAI_API_KEY: "sk-secret\n" }, "OPENAI_API_KEY holds a space, a line break or a character an HTTP header cannot carry: set it to the key alone"],
    ["a HOST not on this machine", { HOST: "192.0.2.1" }, "HOST=192.0.2.1 is not an address of this machine: set HOST to one of its addresses, 127.0.0.1 for this machine only, or 0.0.0.0 for all"],
    ["TOKENWIRE_WORKERS=0", { TOKENWIRE_WORKERS: "0" }, `TOKENWIRE_WORKERS must be "auto" (one per core, ${availableParallelism()} here) or a whole number of 1 or more, not "0"`],
    ["TOKENWIRE_WORKERS=abc", { TOKENWIRE_WORKERS: "abc" }, `TOKENWIRE_WORKERS must be "auto" (one per core, ${availableParallelism()} here) or a whole number of 1 or more, not "abc"`],
    ["two workers without Redis", { TOKENWIRE_WORKERS: "2" }, "TOKENWIRE_WORKERS=2 needs REDIS_URL, so that a stream started on one worker can be resumed on another and callers' limits are shared: set REDIS_URL to a Redis the workers share, or TOKENWIRE_WORKERS=1"],
    ["TOKENWIRE_API_KEY_FILE", { TOKENWIRE_API_KEY_FILE: join(dir, "keys.json") }, "TOKENWIRE_API_KEY_FILE is not a setting: did you mean TOKENWIRE_API_KEYS_FILE?"],
    ["OPENAI_BASEURL", { OPENAI_BASEURL: "http://127.0.0.1:11434/v1" }, "OPENAI_BASEURL is not a setting: did you mean OPENAI_BASE_URL?"],
    ["TOKENWIRE_MAX_STREAM", { TOKENWIRE_MAX_STREAM: "64" }, "TOKENWIRE_MAX_STREAM is not a setting: did you mean TOKENWIRE_MAX_STREAMS?"],
    ["baseURL in the models file", { TOKENWIRE_MODELS_FILE: misspeltModels }, `TOKENWIRE_MODELS_FILE=${misspeltModels}: providers[0] has the unknown field "baseURL": did you mean "baseUrl"?`],
  ] as const)("should stop with one line and exit 1 for %s", async ([, env, line]) => {
    const failure = await startFailing(env);
    expect(failure).toEqual({ code: 1, stdout: "", stderr: `tokenwire: cannot start: ${line}\n` });
  });

  const shown = [...docsConsole("docs/configuration.md", "# Configuration"), ...docsConsole("docs/operations.md", "## More than one core: `TOKENWIRE_WORKERS`")];
  it("should find the failed starts the documentation shows", () => expect(shown.length).toBeGreaterThanOrEqual(2));

  it.each(shown)("should print what the documentation shows for $command", async ({ command, shown }) => {
    const run = await runAsShown(command, {});
    expect(run.code).toBe(1);
    expect(run.output).toMatch(shownPattern(shown));
  });

  it("should say once, from the first worker, what stops two workers from starting", async () => {
    // Nothing listens on port 1: the first worker cannot reach Redis.
    const failure = await startFailing({ TOKENWIRE_WORKERS: "2", REDIS_URL: "redis://127.0.0.1:1" });
    expect(failure.code).toBe(1);
    expect(failure.stderr).toBe("tokenwire: cannot start: REDIS_URL=redis://127.0.0.1:1 cannot be reached (connect ECONNREFUSED 127.0.0.1:1): start Redis there, or unset REDIS_URL to keep resumable streams in this process\n");
  });

  it("should start beside the command line's variables and other tools' OPENAI_* and REDIS_* ones", async () => {
    const env = { TOKENWIRE_API_KEY: "sk-caller", TOKENWIRE_URL: "http://127.0.0.1:1", OPENAI_ORG_ID: "org-1", OPENAI_PROJECT_ID: "proj-1", REDIS_PASSWORD: "secret" };
    const server = await startTokenwireProcess({ env });
    try {
      expect((await fetch(`${server.url}/healthz`)).status).toBe(200);
    } finally {
      await server.stop();
    }
  });

  it("should name the port in use and how to choose another", async () => {
    const failure = await startFailing({ PORT: String(takenPort) });
    const line = `port ${takenPort} on 127.0.0.1 is already in use: stop what listens there, or set PORT to another port (PORT=0 picks a free one)`;
    expect(failure).toEqual({ code: 1, stdout: "", stderr: `tokenwire: cannot start: ${line}\n` });
  });
});
