import { createHash } from "node:crypto";
import { describe, expect, it } from "vitest";
import { ConnectError, createClient, type Client } from "@connectrpc/connect";
import { createGrpcTransport } from "@connectrpc/connect-node";
import { TokenService } from "../../gen/tokenwire/v1/token_service_pb.js";
import { Health } from "../../gen/health/v1/health_pb.js";
import { RetryInfoSchema } from "../../gen/google/rpc/error_details_pb.js";
import { apiKeyAuthenticator } from "../../src/server/api-keys.ts";
import type { ApiKeyCaller } from "../../src/config/api-keys-file.ts";
import { untilLevel } from "../../src/server/caller-limits.ts";
import { defaultTokens } from "../fixtures/fake-openai.ts";
import { tenStreamsAtOnce } from "../support/ten-streams.ts";
import { transportsTo, useTokenwireServer } from "../support/tokenwire-test-server.ts";
import { deltaTextOf } from "../support/stream-text.ts";
import { holdStream } from "../support/hold-stream.ts";
import { readAll } from "../support/read-stream.ts";
import { codeOf } from "../support/code-of.ts";
import { ask as prompt } from "../support/ask.ts";

/** A caller of the keys file and its plain key, which only the client holds. */
function caller(name: string, limits: Omit<ApiKeyCaller, "name" | "keySha256"> = {}) {
  const key = `tw-${name}-${"k".repeat(24)}`;
  return { key, entry: { name, keySha256: createHash("sha256").update(key).digest("hex"), ...limits } };
}

const alice = caller("alice");
const bob = caller("bob");
const one = caller("one-stream", { maxConcurrentStreams: 1 });
const two = caller("two-a-minute", { requestsPerMinute: 2 });
const five = caller("five-tokens", { outputTokensPerMinute: 5 });
const tenAtOnce = caller("ten-at-once", { outputTokensPerMinute: 5 });
const resumableFive = caller("resumable-five", { outputTokensPerMinute: 5 });
const keys = apiKeyAuthenticator([alice, bob, one, two, five, tenAtOnce, resumableFive].map((c) => c.entry));
const server = useTokenwireServer({ authenticate: keys.authenticate, limiter: keys.limiter, streams: { graceMs: 300 } });

const bearer = (key: string) => ({ headers: { authorization: `Bearer ${key}` } });

async function refusal(call: () => Promise<unknown>): Promise<ConnectError> {
  const error = await call().then(
    () => undefined,
    (reason: unknown) => reason,
  );
  expect(error).toBeInstanceOf(ConnectError);
  return error as ConnectError;
}

const retryDelayMs = (error: ConnectError) => {
  const [info] = error.findDetails(RetryInfoSchema);
  return info?.retryDelay ? Number(info.retryDelay.seconds) * 1000 + info.retryDelay.nanos / 1e6 : undefined;
};

describe.each(transportsTo(() => server.current.baseUrl))("API keys over %s", (_name, transport) => {
  const client = (): Client<typeof TokenService> => createClient(TokenService, transport());

  it("should refuse a call with no key, or with a key not in the file, as unauthenticated", async () => {
    for (const options of [{}, bearer("tw-nobody"), { headers: { authorization: `Basic ${alice.key}` } }]) {
      const error = await refusal(() => readAll(client().streamTokens(prompt(), options)));
      expect(codeOf(error)).toBe("Unauthenticated");
    }
    expect(codeOf(await refusal(() => client().generate(prompt(), bearer("tw-nobody"))))).toBe("Unauthenticated");
  });

  it("should stream to a caller with a key and log its name, never its key", async () => {
    expect(deltaTextOf(await readAll(client().streamTokens(prompt(), bearer(alice.key))))).toBe(defaultTokens.join(""));
    await server.current.settled();
    expect(server.current.logs().filter((line) => line.msg === "stream ended").at(-1)).toMatchObject({ caller: "alice", status: "ok" });
    expect(server.current.logText()).not.toContain(alice.key);
  });

  it("should refuse a caller's stream past its concurrent streams with when to retry, and admit it again once one ends", async () => {
    const held = await holdStream(client(), bearer(one.key));
    const error = await refusal(() => readAll(client().streamTokens(prompt(), bearer(one.key))));
    expect(codeOf(error)).toBe("ResourceExhausted");
    expect(error.rawMessage).toBe("this API key is over its limit of 1 concurrent streams (retry in 1 s)");
    expect(retryDelayMs(error)).toBe(1000);
    await held.release();
    await server.current.settled();
    expect(deltaTextOf(await readAll(client().streamTokens(prompt(), bearer(one.key))))).toBe(defaultTokens.join(""));
  });

  it("should let a caller at its stream limit stop its own resumable stream: a stop request holds no stream", async () => {
    const held = await holdStream(client(), { ...bearer(one.key), resumable: true });
    expect(await client().stopStream({ streamId: held.streamId }, bearer(one.key))).toEqual(expect.objectContaining({ stopped: true }));
    await held.release();
    await server.current.settled();
  });
});

describe("per-caller limits by the minute", () => {
  const client = () => createClient(TokenService, createGrpcTransport({ baseUrl: server.current.baseUrl }));

  it("should refuse requests past requestsPerMinute with a retry delay within the minute", async () => {
    for (let i = 0; i < 2; i++) await client().generate(prompt(), bearer(two.key));
    const error = await refusal(() => client().generate(prompt(), bearer(two.key)));
    expect(codeOf(error)).toBe("ResourceExhausted");
    expect(error.rawMessage).toMatch(/^this API key is over its limit of 2 requests a minute \(retry in \d+ s\)$/);
    expect(retryDelayMs(error)).toBeGreaterThan(0);
    expect(retryDelayMs(error)).toBeLessThanOrEqual(30_000);
  });

  it("should count output tokens from the usage a stream reports, and refuse the next stream once they are spent", async () => {
    const answer = await client().generate(prompt(), bearer(five.key));
    expect(answer.usage?.outputTokens).toBe(defaultTokens.length);
    await server.current.settled();
    const error = await refusal(() => client().generate(prompt(), bearer(five.key)));
    expect(error.rawMessage).toMatch(/^this API key is over its limit of 5 output tokens a minute \(retry in \d+ s\)$/);
    // Ten tokens spent of five a minute: one whole token is back after 72 s.
    expect(retryDelayMs(error)).toBeGreaterThan(60_000);
    expect(retryDelayMs(error)).toBeLessThanOrEqual(72_000);
  });

  it("should count the output tokens of a resumable stream's generation against the caller who started it", async () => {
    const read = await readAll(client().streamTokens(prompt("gpt-test", true), bearer(resumableFive.key)));
    expect(deltaTextOf(read)).toBe(defaultTokens.join(""));
    await server.current.settled();
    const error = await refusal(() => client().generate(prompt(), bearer(resumableFive.key)));
    expect(error.rawMessage).toMatch(/^this API key is over its limit of 5 output tokens a minute/);
    expect(retryDelayMs(error)).toBeGreaterThan(60_000);
  });

  it("should hold ten streams started at once to the output-token budget: overshot by one stream at most, and owed a minute at most", async () => {
    const { delivered, refused } = await tenStreamsAtOnce([client()], bearer(tenAtOnce.key).headers);
    expect(delivered).toBeGreaterThan(0);
    expect(delivered).toBeLessThanOrEqual(5 + defaultTokens.length);
    expect(refused).toHaveLength(10 - delivered / defaultTokens.length);
    for (const error of refused) expect(codeOf(error)).toBe("ResourceExhausted");
    await server.current.settled();
    const after = await refusal(() => client().generate(prompt(), bearer(tenAtOnce.key)));
    expect(retryDelayMs(after)).toBeLessThanOrEqual(untilLevel(-5, 1, 5));
  });
});

describe("API keys on the server's other routes", () => {
  const url = (path: string) => `${server.current.baseUrl}${path}`;
  const chat = (key?: string) =>
    fetch(url("/v1/chat/completions"), {
      method: "POST",
      headers: { "content-type": "application/json", ...(key ? { authorization: `Bearer ${key}` } : {}) },
      body: JSON.stringify({ model: "gpt-test", messages: [{ role: "user", content: "hi" }], stream: true }),
    });

  it("should leave health checking, reflection's answers, /healthz and /metrics open", async () => {
    const health = createClient(Health, createGrpcTransport({ baseUrl: server.current.baseUrl }));
    expect((await health.check({ service: "" })).status).toBe(1);
    expect((await fetch(url("/healthz"))).status).toBe(200);
    expect((await fetch(url("/metrics"))).status).toBe(200);
  });

  it("should refuse OpenAI's and the AI SDK's routes without a key, and stream with one", async () => {
    const refused = await chat();
    expect(refused.status).toBe(401);
    expect(await refused.json()).toMatchObject({ error: { code: "unauthenticated" } });
    const ui = await fetch(url("/api/chat"), { method: "POST", headers: { "content-type": "application/json" }, body: JSON.stringify({ id: "c", messages: [{ id: "1", role: "user", parts: [{ type: "text", text: "hi" }] }] }) });
    expect(ui.status).toBe(401);
    await ui.text();
    const answered = await chat(alice.key);
    expect(answered.status).toBe(200);
    expect(await answered.text()).toContain("data: [DONE]");
  });

  it("should answer a caller over its limit on an HTTP route with 429 and Retry-After", async () => {
    const held = await holdStream(createClient(TokenService, createGrpcTransport({ baseUrl: server.current.baseUrl })), bearer(one.key));
    const refused = await chat(one.key);
    expect(refused.status).toBe(429);
    expect(refused.headers.get("retry-after")).toBe("1");
    await refused.text();
    await held.release();
  });
});

describe("chat ids on the AI SDK's routes, with two callers", () => {
  const post = (key: string, path: string, body: object = {}) =>
    fetch(`${server.current.baseUrl}${path}`, { method: "POST", headers: { "content-type": "application/json", authorization: `Bearer ${key}` }, body: JSON.stringify(body) });
  const chat = (key: string, id: string, model = "gpt-test") => post(key, "/api/chat", { id, model, messages: [{ id: "1", role: "user", parts: [{ type: "text", text: "hi" }] }] });
  // What a caller can tell of a reply: its status, and its body but for the run's id.
  const seen = async (response: Response) => [response.status, (await response.text()).replace(/"messageId":"[^"]*"/, "")];

  it("should answer another caller's chat id exactly as an id no one uses: a chat of its own, nothing to stop, nothing to resume", async () => {
    const alices = `chat-${crypto.randomUUID()}`;
    const unused = `chat-${crypto.randomUUID()}`;
    const generating = await chat(alice.key, alices, "stall-after-3");
    const reader = generating.body!.getReader();
    while (!new TextDecoder().decode((await reader.read()).value).includes("text-delta"));

    expect(await seen(await post(bob.key, `/api/chat/${alices}/stop`))).toEqual(await seen(await post(bob.key, `/api/chat/${unused}/stop`)));
    const resume = (id: string) => fetch(`${server.current.baseUrl}/api/chat/${id}/stream`, { headers: { authorization: `Bearer ${bob.key}` } });
    expect(await seen(await resume(alices))).toEqual(await seen(await resume(unused)));
    expect(await seen(await chat(bob.key, alices))).toEqual(await seen(await chat(bob.key, unused)));

    // Alice's answer went on, and is still hers to stop.
    expect(await (await post(alice.key, `/api/chat/${alices}/stop`)).json()).toEqual({ stopped: true });
    await reader.cancel();
  });
});
