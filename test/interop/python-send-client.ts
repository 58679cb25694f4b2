import { execFile } from "node:child_process";
import { mkdtemp, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { promisify } from "node:util";
import { testTiers } from "../support/test-tiers.ts";

const run = promisify(execFile);
const protoRoot = fileURLToPath(new URL("../../proto/", import.meta.url));
const script = fileURLToPath(new URL("./python/send_client.py", import.meta.url));

/**
 * Debian's Python, where `apt-get install python3-grpcio python3-grpc-tools` puts the modules (a pyenv `python3`
 * on PATH may lack them), or `TOKENWIRE_TEST_PYTHON`.
 */
export const python = testTiers().python.program;

/**
 * Generates Python stubs from the seed's `.proto` with grpc_tools.protoc into
 * a temporary directory, and returns it. The tests that use it skip where the
 * modules are missing, except under CI (see `test/support/test-tiers.ts`).
 */
export async function generatePythonStubs(): Promise<string> {
  try {
    await run(python, ["-c", "import grpc, grpc_tools"]);
  } catch (cause) {
    throw new Error(`${python} lacks grpcio or grpc_tools: apt-get install -y python3-grpcio python3-grpc-tools`, { cause });
  }
  const stubs = await mkdtemp(join(tmpdir(), "tokenwire-python-"));
  await run(python, ["-m", "grpc_tools.protoc", `-I${protoRoot}`, `--python_out=${stubs}`, `--grpc_python_out=${stubs}`, "openai/chatgpt.proto"]);
  // A regular package, so that it wins over any installed `openai` package on the path.
  await writeFile(join(stubs, "openai", "__init__.py"), "");
  return stubs;
}

/** Removes what {@link generatePythonStubs} wrote. */
export function removePythonStubs(stubs: string | undefined): Promise<void> {
  return stubs ? rm(stubs, { recursive: true, force: true }) : Promise.resolve();
}

/** Options of {@link runPythonSend}. */
export interface PythonSendOptions {
  stubs: string;
  target: string;
  content?: string;
  model?: string;
  /** The call's deadline in seconds (grpcio's `timeout=`). */
  timeoutSeconds?: number;
  /** Cancel the call after this many Answers. */
  cancelAfter?: number;
}

/** What the Python client printed: each Answer, then the call's final status. */
export interface PythonSendOutcome {
  answers: ({ content: string } | { error: string })[];
  status: { status: string; details: string };
}

/** Runs `python/send_client.py` once and parses its JSON lines. */
export async function runPythonSend(options: PythonSendOptions): Promise<PythonSendOutcome> {
  const args = [script, "--stubs", options.stubs, "--target", options.target, "--content", options.content ?? "hello", "--model", options.model ?? ""];
  if (options.timeoutSeconds !== undefined) args.push("--timeout", String(options.timeoutSeconds));
  if (options.cancelAfter !== undefined) args.push("--cancel-after", String(options.cancelAfter));
  const { stdout } = await run(python, args);
  const lines = stdout.trim().split("\n").map((line) => JSON.parse(line) as Record<string, string>);
  const status = lines.pop() as PythonSendOutcome["status"];
  return { answers: lines as PythonSendOutcome["answers"], status };
}
