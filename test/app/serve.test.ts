import { spawn, type ChildProcess } from "node:child_process";
import { createInterface } from "node:readline";
import { afterEach, describe, expect, it } from "vitest";
import { createClient } from "@connectrpc/connect";
import { createGrpcTransport } from "@connectrpc/connect-node";
import { TokenService } from "../../gen/tokenwire/v1/token_service_pb.js";
import { defaultTokens, startFakeOpenAI, type FakeOpenAI } from "../fixtures/fake-openai.ts";

let upstream: FakeOpenAI | undefined;
let child: ChildProcess | undefined;
afterEach(async () => {
  child?.kill("SIGKILL");
  await upstream?.close();
});

/** Runs `npm start`'s entry point, and resolves with its URL and its log lines so far, parsed. */
async function start(env: Record<string, string>) {
  child = spawn(process.execPath, ["src/app/main.ts"], { env: { PATH: process.env.PATH, ...env }, stdio: ["ignore", "pipe", "inherit"] });
  const lines: Record<string, unknown>[] = [];
  const exited = new Promise<number | null>((resolve) => child!.once("exit", resolve));
  const port = await new Promise<number>((resolve) => {
    createInterface({ input: child!.stdout! }).on("line", (line) => {
      const parsed = JSON.parse(line) as Record<string, unknown>;
      lines.push(parsed);
      if (typeof parsed.port === "number") resolve(parsed.port);
    });
  });
  return { url: `http://127.0.0.1:${port}`, lines, exited };
}

describe("serve()", () => {
  it("should, on SIGTERM, answer /healthz 503, let the stream in flight finish, and exit 0", async () => {
    upstream = await startFakeOpenAI();
    const server = await start({
      HOST: "127.0.0.1",
      PORT: "0",
      OPENAI_BASE_URL: upstream.url,
      OPENAI_API_KEY: "sk-test-key",
      OPENAI_MAX_RETRIES: "0",
      TOKENWIRE_MODELS: "*",
      TOKENWIRE_SHUTDOWN_GRACE_MS: "20000",
    });
    const client = createClient(TokenService, createGrpcTransport({ baseUrl: server.url }));
    const events = client.streamTokens({ generation: { model: "paced-50", input: { case: "prompt", value: "hi" } } })[Symbol.asyncIterator]();
    await events.next(); // started
    child!.kill("SIGTERM");
    await expect.poll(async () => (await fetch(`${server.url}/healthz`)).status).toBe(503);
    let text = "";
    for (let next = await events.next(); !next.done; next = await events.next()) {
      if (next.value.event.case === "delta") text += next.value.event.value.text;
    }
    expect(text).toBe(defaultTokens.join(""));
    expect(await server.exited).toBe(0);
    expect(server.lines.map((line) => line.msg)).toEqual(expect.arrayContaining(["shutting down", "stream ended", "stopped"]));
  });
});
