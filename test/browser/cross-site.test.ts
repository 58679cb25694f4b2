import { createServer, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { Page } from "playwright-core";
import { startTokenwireServer, type TestServer } from "../support/tokenwire-test-server.ts";
import { useChromium } from "./use-chromium.ts";

// A tokenwire server with no API keys, as on a developer's machine or an intranet, and pages of other origins that
// its users' browsers may open: an attacker's, which must neither spend nor stop, and a friend's, which the server's
// CORS origins list.
let server: TestServer;
let attacker: Server;
let friend: Server;
const chromium = useChromium(() => server.settled());

/** Serves one page at `/`, on loopback, on a port of its own. */
async function pageServer(html: () => string): Promise<Server> {
  const page = createServer((_req, res) => void res.writeHead(200, { "content-type": "text/html; charset=utf-8" }).end(html()));
  await new Promise<void>((resolve) => page.listen(0, "127.0.0.1", resolve));
  return page;
}

const portOf = (page: Server) => (page.address() as AddressInfo).port;

// Forms post wherever they like, with no preflight, in these three encodings. A text/plain form is as near JSON as a
// form gets: its one field's name and value join into `{"…","pad":"="}`, a valid JSON body.
const chatBody = { model: "gpt-test", messages: [{ role: "user", content: "spend" }] };
const uiBody = { messages: [{ id: "1", role: "user", parts: [{ type: "text", text: "spend" }] }] };
const asTextForm = (body: object) => `<input name='${JSON.stringify(body).slice(0, -1)},"pad":"' value='"}'>`;
const attackerPage = () => `<!doctype html>
<iframe name="sink"></iframe>
<form id="chat-text" method="POST" action="${server.baseUrl}/v1/chat/completions" enctype="text/plain" target="sink">${asTextForm(chatBody)}</form>
<form id="ui-text" method="POST" action="${server.baseUrl}/api/chat" enctype="text/plain" target="sink">${asTextForm(uiBody)}</form>
<form id="chat-urlencoded" method="POST" action="${server.baseUrl}/v1/chat/completions" target="sink"><input name="messages" value="spend"></form>
<form id="stop" method="POST" enctype="text/plain" target="sink"><input name='{"a":"' value='"}'></form>`;

beforeAll(async () => {
  friend = await pageServer(() => "<!doctype html><title>friend</title>");
  server = await startTokenwireServer({ cors: { origins: [`http://127.0.0.1:${portOf(friend)}`] }, streams: { graceMs: 3000 } });
  attacker = await pageServer(attackerPage);
});

afterAll(async () => {
  await server?.close();
  await Promise.all([attacker, friend].map((page) => new Promise((resolve) => page?.close(resolve))));
});

async function open(url: string): Promise<Page> {
  const page = await chromium.newPage();
  await page.goto(url);
  return page;
}

/** Submits one of the attacker page's forms into its frame, and resolves with what the frame then shows: the server's answer. */
async function submit(page: Page, form: string, action?: string): Promise<string> {
  await page.evaluate(
    ({ form, action }) => {
      const element = document.getElementById(form) as HTMLFormElement;
      // Marked, so that the frame's answer to this form is told from the one before.
      element.action = `${action ?? element.action}?form=${form}`;
      element.submit();
    },
    { form, action },
  );
  const frame = () => page.frame({ name: "sink" });
  await expect.poll(() => frame()?.url(), { timeout: 10_000 }).toMatch(new RegExp(`^${server.baseUrl}/.*\\?form=${form}$`));
  return (await frame()!.textContent("body")) ?? "";
}

/** The words of a refusal of a page of this origin. */
const refusal = (pageUrl: string) => `pages of ${new URL(pageUrl).origin} may not call this server`;

/** A fetch from the page: how it ended for the page's script. */
function pageFetch(page: Page, url: string, init: RequestInit): Promise<string> {
  return page.evaluate(
    async ({ url, init }) => {
      try {
        const response = await fetch(url, init);
        return `${response.type} ${response.status}`;
      } catch (error) {
        return `rejected: ${(error as Error).name}`;
      }
    },
    { url, init },
  );
}

// The same host on another port is the same site to Chromium (Sec-Fetch-Site: same-site); `localhost` is another site.
describe.each([
  ["another port of 127.0.0.1 (same-site)", () => `http://127.0.0.1:${portOf(attacker)}/`],
  ["localhost (cross-site)", () => `http://localhost:${portOf(attacker)}/`],
])("a page on %s", (_name, attackerUrl) => {
  it("should spend nothing through a form POST, in text/plain or url-encoded: each refused", async () => {
    const asked = server.upstream.requests.length;
    const page = await open(attackerUrl());
    for (const form of ["chat-text", "ui-text", "chat-urlencoded"]) expect(await submit(page, form), form).toContain(refusal(attackerUrl()));
    expect(server.upstream.requests.length).toBe(asked);
  });

  it("should spend nothing through a text/plain fetch or a no-cors fetch", async () => {
    const asked = server.upstream.requests.length;
    const page = await open(attackerUrl());
    const answered: string[] = [];
    page.on("response", (response) => void (response.url().startsWith(server.baseUrl) && answered.push(`${new URL(response.url()).search} ${response.status()}`)));
    for (const [path, body] of [["/v1/chat/completions", chatBody], ["/api/chat", uiBody]] as const) {
      // A text/plain fetch needs no preflight: the browser sends it, and hides the answer from the page.
      const plain = await pageFetch(page, `${server.baseUrl}${path}?via=text-plain`, { method: "POST", headers: { "content-type": "text/plain" }, body: JSON.stringify(body) });
      expect(plain).toBe("rejected: TypeError");
      // A no-cors fetch is sent whatever the server says, and the page gets an opaque answer.
      expect(await pageFetch(page, `${server.baseUrl}${path}?via=no-cors`, { method: "POST", mode: "no-cors", body: JSON.stringify(body) })).toBe("opaque 0");
    }
    // Chromium reports the answers it hands the page, opaque as they are to its script: the server's refusals.
    expect(answered).toEqual(["?via=no-cors 403", "?via=no-cors 403"]);
    expect(server.upstream.requests.length).toBe(asked);
  });

  it("should not stop a victim's chat, by a form or a no-cors fetch to its stop route", async () => {
    const chatId = `victim-${crypto.randomUUID()}`;
    const stopUrl = `${server.baseUrl}/api/chat/${chatId}/stop`;
    // The victim's answer, held generating by the upstream until it is stopped.
    const victim = await fetch(`${server.baseUrl}/api/chat`, { method: "POST", headers: { "content-type": "application/json" }, body: JSON.stringify({ ...uiBody, id: chatId, model: "stall-after-3" }) });
    const reader = victim.body!.getReader();
    while (!new TextDecoder().decode((await reader.read()).value).includes("text-delta"));
    const upstream = server.upstream.requests.at(-1)!;
    const asked = server.upstream.requests.length;

    const page = await open(attackerUrl());
    expect(await submit(page, "stop", stopUrl)).toContain(refusal(attackerUrl()));
    expect(await pageFetch(page, stopUrl, { method: "POST", mode: "no-cors", body: "{}" })).toBe("opaque 0");
    expect(await pageFetch(page, stopUrl, { method: "POST", headers: { "content-type": "text/plain" }, body: "{}" })).toBe("rejected: TypeError");

    // Still generating, and no other model asked: only the victim's own stop ends it.
    expect(server.upstream.requests.length).toBe(asked);
    const stop = await fetch(stopUrl, { method: "POST", headers: { "content-type": "application/json" } });
    expect(await stop.json()).toEqual({ stopped: true });
    expect(await upstream.ended).toBe("client-closed");
    await reader.cancel();
  });
});

describe("a page of an origin the CORS origins list", () => {
  it("should be answered, its JSON fetch preflighted and let through", async () => {
    const asked = server.upstream.requests.length;
    const page = await open(`http://127.0.0.1:${portOf(friend)}/`);
    const answer = await page.evaluate(async (url) => {
      const response = await fetch(url, { method: "POST", headers: { "content-type": "application/json" }, body: JSON.stringify({ model: "gpt-test", messages: [{ role: "user", content: "hi" }] }) });
      return { status: response.status, body: (await response.json()) as { choices: { message: { content: string } }[] } };
    }, `${server.baseUrl}/v1/chat/completions`);
    expect(answer.status).toBe(200);
    expect(answer.body.choices[0]!.message.content).not.toBe("");
    expect(server.upstream.requests.length).toBe(asked + 1);
  });
});
