import { expect } from "vitest";
import { createClient, type Client } from "@connectrpc/connect";
import { TokenService } from "../../gen/tokenwire/v1/token_service_pb.js";
import type { TokenwireError } from "../../src/core/tokenwire-error.ts";
import { transportsTo, type TestServer } from "./tokenwire-test-server.ts";
import { holdStream } from "./hold-stream.ts";
import { codeOf } from "./code-of.ts";
import { ask as prompt } from "./ask.ts";

// Every wire of the one-port server as a caller uses it, for tests that must hold on all of them.

export type Mode = "plain" | "resumable";

/** A stream held open by its reader, which may let it go; `streamId` names a resumable one. */
export interface Held {
  streamId: string | undefined;
  drop(): Promise<void>;
}

/** One wire as a caller uses it: a stream held open on the stalling model, and a whole stream's outcome code. */
export interface Wire {
  name: string;
  modes: Mode[];
  hold(key: string, mode: Mode): Promise<Held>;
  /** `ok`, or the code the call was refused or failed with. */
  run(key: string, mode: Mode): Promise<string>;
}

export const authorization = (key: string) => ({ authorization: `Bearer ${key}` });
const snake = (name: string) => name.replace(/[A-Z]/g, (letter, at: number) => `${at ? "_" : ""}${letter.toLowerCase()}`);
const codeOfHttp: Record<number, string> = { 200: "ok", 401: "unauthenticated", 429: "resource_exhausted", 503: "unavailable" };

function rpcWire(name: string, client: () => Client<typeof TokenService>): Wire {
  return {
    name,
    modes: ["plain", "resumable"],
    async hold(key, mode) {
      const held = await holdStream(client(), { headers: authorization(key), resumable: mode === "resumable" });
      return { streamId: held.streamId || undefined, drop: held.release };
    },
    async run(key, mode) {
      try {
        for await (const _ of client().streamTokens(prompt("gpt-test", mode === "resumable"), { headers: authorization(key) }));
        return "ok";
      } catch (reason) {
        return snake(codeOf(reason));
      }
    },
  };
}

function inProcessWire(server: () => TestServer): Wire {
  const events = (key: string, mode: Mode, model: string) =>
    server().server.tokenwire.streamTokens({ prompt: "hi", model }, { headers: new Headers(authorization(key)), resumable: mode === "resumable", protocol: "in-process" });
  return {
    name: "in process",
    modes: ["plain", "resumable"],
    async hold(key, mode) {
      const iterator = events(key, mode, "stall-after-3")[Symbol.asyncIterator]();
      const first = (await iterator.next()).value;
      while ((await iterator.next()).value?.type !== "delta");
      return { streamId: first?.type === "started" ? first.streamId : undefined, drop: async () => void (await iterator.return?.()) };
    },
    async run(key, mode) {
      try {
        for await (const _ of events(key, mode, "gpt-test"));
        return "ok";
      } catch (reason) {
        return (reason as TokenwireError).code;
      }
    },
  };
}

// An SSE route: held until the first text arrives, read to its end otherwise.
// A failure in the stream is an error object: `failed` tells it apart where a wire's events name `error` otherwise.
type SseRoute = { path: string; body: (model: string, chatId: string | undefined) => object; modes: Mode[]; text: RegExp; failed?: RegExp };

function sseWire(name: string, route: SseRoute, server: () => TestServer): Wire {
  const post = (key: string, model: string, options: { chatId?: string; signal?: AbortSignal }) =>
    fetch(`${server().baseUrl}${route.path}`, {
      method: "POST",
      headers: { ...authorization(key), "content-type": "application/json" },
      body: JSON.stringify(route.body(model, options.chatId)),
      signal: options.signal,
    });
  return {
    name,
    modes: route.modes,
    async hold(key, mode) {
      const controller = new AbortController();
      const chatId = mode === "resumable" ? crypto.randomUUID() : undefined;
      const response = await post(key, "stall-after-3", { chatId, signal: controller.signal });
      expect(response.status).toBe(200);
      const reader = response.body!.pipeThrough(new TextDecoderStream()).getReader();
      for (let seen = ""; !route.text.test(seen); ) seen += (await reader.read()).value ?? "";
      return { streamId: chatId, drop: async () => void (controller.abort(), await reader.read().catch(() => undefined)) };
    },
    async run(key, mode) {
      const response = await post(key, "gpt-test", { chatId: mode === "resumable" ? crypto.randomUUID() : undefined });
      const body = await response.text();
      if (response.status !== 200) return codeOfHttp[response.status] ?? String(response.status);
      return (route.failed ?? /"error"/).test(body) ? "failed in the stream" : "ok";
    },
  };
}

const openAI = (server: () => TestServer) =>
  sseWire("OpenAI chat completions", { path: "/v1/chat/completions", modes: ["plain"], text: /"content":"[^"]/, body: (model) => ({ model, stream: true, messages: [{ role: "user", content: "hi" }] }) }, server);
const responses = (server: () => TestServer) =>
  sseWire(
    "OpenAI responses",
    { path: "/v1/responses", modes: ["plain"], text: /"type":"response.output_text.delta"/, failed: /"type":"error"/, body: (model) => ({ model, stream: true, input: "hi" }) },
    server,
  );
const uiMessages = (server: () => TestServer) =>
  sseWire(
    "the AI SDK's UI message stream",
    {
      path: "/api/chat",
      modes: ["plain", "resumable"],
      text: /"type":"text-delta"/,
      body: (model, chatId) => ({ ...(chatId && { id: chatId }), model, messages: [{ id: "m1", role: "user", parts: [{ type: "text", text: "hi" }] }] }),
    },
    server,
  );

/** Every wire of a test server: in process, Connect, gRPC and gRPC-Web, and the three HTTP dialects. */
export function wiresOf(server: () => TestServer): Wire[] {
  return [
    inProcessWire(server),
    ...transportsTo(() => server().baseUrl).map(([name, transport]) => rpcWire(name, () => createClient(TokenService, transport()))),
    openAI(server),
    responses(server),
    uiMessages(server),
  ];
}
