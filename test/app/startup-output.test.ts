import { afterEach, describe, expect, it } from "vitest";
import { createClient, type Transport } from "@connectrpc/connect";
import { createConnectTransport, createGrpcTransport, createGrpcWebTransport } from "@connectrpc/connect-node";
import { HumanMessage } from "@langchain/core/messages";
import { TokenService } from "../../gen/tokenwire/v1/token_service_pb.js";
import { localReply } from "../../src/models/local-chat-model.ts";
import { startInTerminal, type Terminal } from "../fixtures/terminal.ts";
import { startTokenwireProcess, stopProcess, type TokenwireProcess } from "../fixtures/tokenwire-process.ts";
import { skipWithout } from "../support/test-tiers.ts";

// npm start on its local demo model, as a person runs it in a terminal and as a tool runs it on a pipe.
const env = { PATH: process.env.PATH ?? "", HOST: "127.0.0.1", PORT: "0", NO_COLOR: "1", TOKENWIRE_LOCAL_TOKENS_PER_SECOND: "0", TOKENWIRE_SHUTDOWN_GRACE_MS: "200" };
const reply = localReply([new HumanMessage("hi")]);

const generate = async (transport: Transport) => (await createClient(TokenService, transport).generate({ generation: { input: { case: "prompt", value: "hi" } } })).text;
const post = (url: string, body: object) => fetch(url, { method: "POST", headers: { "content-type": "application/json" }, body: JSON.stringify(body) });

/** One call over each wire the server says it serves, from its base URL: what each answered. */
const wires: Record<string, (url: string) => Promise<string>> = {
  connect: (url) => generate(createConnectTransport({ baseUrl: url, httpVersion: "1.1" })),
  grpc: (url) => generate(createGrpcTransport({ baseUrl: url })),
  "grpc-web": (url) => generate(createGrpcWebTransport({ baseUrl: url, httpVersion: "1.1" })),
  openai: async (url) => ((await (await post(`${url}/v1/chat/completions`, { messages: [{ role: "user", content: "hi" }] })).json()) as { choices: { message: { content: string } }[] }).choices[0]!.message.content,
  "ai-sdk": async (url) => {
    const sse = await (await post(`${url}/api/chat`, { id: "chat-1", messages: [{ id: "m1", role: "user", parts: [{ type: "text", text: "hi" }] }] })).text();
    return [...sse.matchAll(/"type":"text-delta".*?"delta":("(?:[^"\\]|\\.)*")/g)].map((match) => JSON.parse(match[1]!) as string).join("");
  },
};

let terminal: Terminal | undefined;
let piped: TokenwireProcess | undefined;
afterEach(async () => {
  if (terminal) await stopProcess(terminal.child);
  await piped?.stop();
});

describe.skipIf(skipWithout("terminal"))("npm start on a terminal", () => {
  it("should show a summary with the page and every route, each really served, then lines for a person, and stop on Ctrl-C", async () => {
    terminal = startInTerminal(["src/app/main.ts"], env);
    const summary = await terminal.until(/try it: .*\n/);
    expect(summary).toMatch(/^tokenwire is listening on 127\.0\.0\.1:\d+, over HTTP\/1\.1 and HTTP\/2\n/);
    expect(summary).not.toMatch(/^\{/m);
    const row = (name: string) => new RegExp(`^  ${name} +(\\S+)`, "m").exec(summary)?.[1] ?? `no ${name} row`;
    const base = row("Connect, gRPC, gRPC-Web");
    expect(base).toMatch(/^http:\/\/127\.0\.0\.1:\d+$/);
    expect(row("model")).toBe("local");
    expect(summary).toMatch(/^ {2}API keys +off: /m);
    expect(summary).toContain(`try it: npx tokenwire ask -u ${base} "hello"`);

    const page = await fetch(row("chat page"));
    expect([page.status, await page.text()]).toEqual([200, expect.stringContaining("<!doctype html>")]);
    expect(await (await fetch(row("health"))).text()).toBe("ok\n");
    expect(await (await fetch(row("metrics"))).text()).toContain("tokenwire_streams_started_total");
    expect(await (await fetch(row("OpenAI models"))).json()).toMatchObject({ object: "list", data: [{ id: "local" }] });
    expect(row("OpenAI chat completions")).toBe(`${base}/v1/chat/completions`);
    expect(row("AI SDK \\(useChat\\)")).toBe(`${base}/api/chat`);
    for (const [wire, call] of Object.entries(wires)) expect(await call(base), wire).toBe(reply);

    // Each stream's log line, as a person reads it: the time, what ended, and its figures.
    for (const wire of Object.keys(wires)) await terminal.until(new RegExp(`^\\d\\d:\\d\\d:\\d\\d  stream ended: ${wire} \\S+, model local, \\d+ tokens in \\d+ ms, stop$`, "m"));
    terminal.type("\x03");
    const stopped = await terminal.until(/^\d\d:\d\d:\d\d {2}stopped$/m);
    expect(stopped).toMatch(/^(\^C)?\d\d:\d\d:\d\d {2}shutting down$/m); // the terminal echoes the Ctrl-C
    expect(stopped).not.toMatch(/^\{/m);
    expect(await terminal.exited).toBe(0);
  });
});

describe("npm start on a pipe", () => {
  it("should keep one JSON line per event, the listening line naming every wire served", async () => {
    piped = await startTokenwireProcess({ env: { TOKENWIRE_LOCAL_TOKENS_PER_SECOND: "0" } });
    const listening = JSON.parse(piped.output.find((line) => line.includes('"msg":"tokenwire listening'))!) as { protocols: string[] };
    expect(listening.protocols).toEqual(Object.keys(wires));
    for (const wire of listening.protocols) expect(await wires[wire]!(piped.url), wire).toBe(reply);
    await piped.stop();
    expect(piped.output.filter((line) => !line.startsWith("{"))).toEqual([]);
  });
});
