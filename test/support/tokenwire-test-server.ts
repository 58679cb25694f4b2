import { afterAll, afterEach, beforeAll, expect, vi } from "vitest";
import { pino } from "pino";
import type { Transport } from "@connectrpc/connect";
import type { Compression } from "@connectrpc/connect/protocol";
import { createConnectTransport, createGrpcTransport, createGrpcWebTransport } from "@connectrpc/connect-node";
import { createTokenwireServer, type TokenwireServer, type TokenwireServerOptions } from "../../src/server/create-tokenwire-server.ts";
import { createModelCatalog } from "../../src/models/model-catalog.ts";
import { openAIModelFactory } from "../../src/models/openai-model.ts";
import { seedInputVariable, seedTemplate } from "../../src/models/seed-template.ts";
import { startFakeOpenAI, type FakeOpenAI } from "../fixtures/fake-openai.ts";

/** The key the server gives the upstream; no client may ever see it. */
export const testApiKey = "sk-test-key";

/** Options of {@link startTokenwireServer}. */
export interface TestServerOptions extends Partial<TokenwireServerOptions> {
  /** Turns the fake upstream's URL into the base URL the model client uses (to add credentials). */
  baseURL?: (url: string) => string;
  /** The model names a caller may ask for; unset for any. */
  allowedModels?: string[];
}

/** A running server against a fake upstream, with its log lines. */
export interface TestServer {
  server: TokenwireServer;
  upstream: FakeOpenAI;
  baseUrl: string;
  /** Every log line the server wrote so far, parsed. */
  logs(): Record<string, unknown>[];
  /** The raw log output, to search for secrets. */
  logText(): string;
  /** Waits until no stream is open: a leaked stream fails here. */
  settled(): Promise<void>;
  close(graceMs?: number): Promise<void>;
}

/** Starts a server on port 0 over the real OpenAI client and a fake upstream. */
export async function startTokenwireServer(options: TestServerOptions = {}): Promise<TestServer> {
  const upstream = await startFakeOpenAI();
  const lines: string[] = [];
  const createModel = openAIModelFactory({ apiKey: testApiKey, baseURL: (options.baseURL ?? String)(upstream.url), maxRetries: 0 });
  const server = createTokenwireServer({
    resolve: createModelCatalog({ defaultModel: "gpt-test", allowedModels: options.allowedModels, createModel, templates: { seed: { template: seedTemplate, inputVariable: seedInputVariable } } }),
    logger: pino({ level: "info" }, { write: (line: string) => void lines.push(line) }),
    ...options,
  });
  const { port } = await server.listen(0, "127.0.0.1");
  const settled = () => vi.waitFor(() => expect(server.tokenwire.openStreams).toBe(0), { timeout: 5000, interval: 10 });
  return {
    server,
    upstream,
    baseUrl: `${options.tls ? "https" : "http"}://127.0.0.1:${port}`,
    logs: () => lines.map((line) => JSON.parse(line) as Record<string, unknown>),
    logText: () => lines.join(""),
    settled,
    async close(graceMs = 100) {
      await settled();
      await server.shutdown(graceMs);
      await upstream.close();
    },
  };
}

/**
 * Starts one server for a test file, checks after each test that no stream
 * leaked, and closes it at the end.
 */
export function useTokenwireServer(options: TestServerOptions = {}): { current: TestServer } {
  const holder = {} as { current: TestServer };
  beforeAll(async () => {
    holder.current = await startTokenwireServer(options);
  });
  afterEach(() => holder.current.settled());
  afterAll(() => holder.current?.close());
  return holder;
}

/** What a test may add to a transport: a deadline, the CA that signed the server's certificate, or the requests' compression. */
export interface TransportOptions {
  defaultTimeoutMs?: number;
  nodeOptions?: { ca: Buffer };
  sendCompression?: Compression;
}

/** The four ways a client reaches the server, by name. */
export function transportsTo(baseUrl: () => string): [string, (options?: TransportOptions) => Transport][] {
  return [
    ["Connect over HTTP/1.1", (o) => createConnectTransport({ baseUrl: baseUrl(), httpVersion: "1.1", ...o })],
    ["Connect over HTTP/2", (o) => createConnectTransport({ baseUrl: baseUrl(), httpVersion: "2", ...o })],
    ["gRPC", (o) => createGrpcTransport({ baseUrl: baseUrl(), ...o })],
    ["gRPC-Web", (o) => createGrpcWebTransport({ baseUrl: baseUrl(), httpVersion: "1.1", ...o })],
  ];
}
