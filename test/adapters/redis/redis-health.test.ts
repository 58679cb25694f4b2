import { createHash } from "node:crypto";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it, vi } from "vitest";
import { Code, ConnectError, createClient } from "@connectrpc/connect";
import { createConnectTransport } from "@connectrpc/connect-node";
import { TokenService, type StreamTokensResponse } from "../../../gen/tokenwire/v1/token_service_pb.js";
import { errors } from "../../../src/index.ts";
import { startFakeOpenAI, type FakeOpenAI } from "../../fixtures/fake-openai.ts";
import { startRedisServer } from "../../fixtures/redis-server.ts";
import { startTokenwireProcess, type TokenwireProcess } from "../../fixtures/tokenwire-process.ts";
import { answerMs, settlesWithin, stalls } from "../../support/redis-stall.ts";
import { startAll } from "../../support/start-all.ts";

// Two `npm start` processes on one Redis that stops answering: one that needs API keys (its limits in Redis too),
// and one that does not.
const dir = mkdtempSync(join(tmpdir(), "tokenwire-stall-"));
const key = "tw-alice-0123456789abcdef";
const keysFile = join(dir, "keys.json");
writeFileSync(keysFile, JSON.stringify({ callers: [{ name: "alice", keySha256: createHash("sha256").update(key).digest("hex"), maxConcurrentStreams: 4 }] }));
const authorization = `Bearer ${key}`;

let upstream: FakeOpenAI;
beforeAll(async () => {
  upstream = await startFakeOpenAI();
});
afterAll(async () => {
  await upstream?.close();
  rmSync(dir, { recursive: true, force: true });
});

const lines = (server: TokenwireProcess) => server.output.flatMap((line) => (line.startsWith("{") ? [JSON.parse(line) as Record<string, unknown>] : []));
const said = (server: TokenwireProcess, redis: string) => lines(server).filter((line) => line.redis === redis);

// The OpenAI route's plain streamed call, read to its end.
async function chat(server: TokenwireProcess, headers: Record<string, string> = {}): Promise<string> {
  const response = await fetch(`${server.url}/v1/chat/completions`, {
    method: "POST",
    headers: { "content-type": "application/json", ...headers },
    body: JSON.stringify({ model: "gpt-test", messages: [{ role: "user", content: "hi" }], stream: true }),
  });
  return `${response.status} ${await response.text()}`;
}

async function failure(call: () => Promise<unknown>): Promise<ConnectError | undefined> {
  return call().then(
    () => undefined,
    (error: unknown) => ConnectError.from(error),
  );
}

describe.each(stalls)("npm start on a Redis %s", (_, stall) => {
  it("should serve plain calls, with keys and without, fail resumable streams with unavailable within the bound, and say so once each way", async () => {
    const own = await startRedisServer();
    const env = { REDIS_URL: own.url, TOKENWIRE_REDIS_ANSWER_MS: String(answerMs) };
    const models = ["gpt-test", "stall-after-3"];
    const [open, keyed] = await startAll([
      startTokenwireProcess({ upstreamUrl: upstream.url, models, env }),
      startTokenwireProcess({ upstreamUrl: upstream.url, models, env: { ...env, TOKENWIRE_API_KEYS_FILE: keysFile } }),
    ]).catch(async (error: unknown) => {
      await own.stop();
      throw error;
    });
    try {
      const client = createClient(TokenService, createConnectTransport({ baseUrl: open.url, httpVersion: "1.1" }));
      const arrived = upstream.nextRequest();
      const inFlight = client.streamTokens({ generation: { input: { case: "prompt", value: "hi" }, model: "stall-after-3" }, resumable: true })[Symbol.asyncIterator]();
      const started = (await inFlight.next()).value as StreamTokensResponse;
      const streamId = started.event.case === "started" ? started.event.value.streamId : "";
      while ((await inFlight.next()).value?.event.case !== "delta");
      const stalled = await stall(own);
      const unanswered = { code: Code.Unavailable, rawMessage: errors.logUnanswered(answerMs).message };
      try {
        expect(await settlesWithin(chat(open))).toMatch(/^200 [\s\S]*data: \[DONE\]/);
        expect(await settlesWithin(chat(keyed, { authorization }))).toMatch(/^200 [\s\S]*data: \[DONE\]/);
        await expect(settlesWithin(inFlight.next())).rejects.toMatchObject(unanswered);
        // Its generation stops: the upstream request is closed.
        expect(await settlesWithin((await arrived).ended)).toBe("client-closed");
        const resumable = { generation: { input: { case: "prompt" as const, value: "hi" }, model: "gpt-test" }, resumable: true };
        const readAll = async () => {
          for await (const response of client.streamTokens(resumable)) void response;
        };
        expect(await settlesWithin(failure(readAll))).toMatchObject(unanswered);
        expect(await settlesWithin(failure(() => client.stopStream({ streamId })))).toMatchObject(unanswered);
      } finally {
        await stalled.end();
      }
      for (const server of [open, keyed]) await vi.waitFor(() => expect(said(server, "answering").length).toBe(said(server, "unanswered").length));
      // Once for the stream log, which had a stream to fail; on the keyed one, once for the limits, which admitted a call.
      const unansweredFor = (server: TokenwireProcess, users: string) => said(server, "unanswered").filter((line) => line.msg === `Redis has not answered for ${answerMs} ms: ${users}`);
      expect(unansweredFor(open, "resumable streams fail with unavailable until it answers again")).toHaveLength(1);
      expect(unansweredFor(keyed, "each replica holds callers' limits on its own until it answers again")).toHaveLength(1);
    } finally {
      await Promise.all([open.stop(), keyed.stop()]);
      await own.stop();
    }
  });
});
