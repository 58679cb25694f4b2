import { afterEach, describe, expect, it } from "vitest";
import { createClient } from "@connectrpc/connect";
import { createConnectTransport } from "@connectrpc/connect-web";
import { HumanMessage } from "@langchain/core/messages";
import { TokenService } from "../../../gen/tokenwire/v1/token_service_pb.js";
import { tokenwireFetchHandler } from "../../../src/adapters/fetch/tokenwire-fetch-handler.ts";
import { tokenwireFrom } from "../../../src/models/tokenwire-from.ts";
import { LocalChatModel, localReply } from "../../../src/models/local-chat-model.ts";
import { readAll } from "../../support/read-stream.ts";
import { deltaTextOf } from "../../support/stream-text.ts";

const page = "https://chat.example.com";
const tokenwire = tokenwireFrom({ model: new LocalChatModel({ tokensPerSecond: 0 }) });
const handler = tokenwireFetchHandler(tokenwire, { requestPathPrefix: "/api", cors: { origins: [page] } });
const rpc = "http://tokenwire.test/api/tokenwire.v1.TokenService/StreamTokens";

afterEach(() => expect.poll(() => tokenwire.openStreams).toBe(0));

describe("tokenwireFetchHandler()", () => {
  it("should stream over Connect under its path prefix", async () => {
    const transport = createConnectTransport({ baseUrl: "http://tokenwire.test/api", fetch: (input, init) => handler(new Request(input, init)) });
    const responses = await readAll(createClient(TokenService, transport).streamTokens({ generation: { input: { case: "prompt", value: "hi" } } }));
    expect(deltaTextOf(responses)).toBe(localReply([new HumanMessage("hi")]));
  });

  it("should not serve gRPC, whose trailers a fetch Response cannot carry", async () => {
    const res = await handler(new Request(rpc, { method: "POST", headers: { "content-type": "application/grpc" }, body: new Uint8Array(5) }));
    expect(res.status).toBe(415);
  });

  it("should answer an allowed origin's preflight", async () => {
    const res = await handler(new Request(rpc, { method: "OPTIONS", headers: { origin: page, "access-control-request-method": "POST" } }));
    expect(res.status).toBe(204);
    expect(res.headers.get("access-control-allow-origin")).toBe(page);
  });

  it("should say 404 for a path that no RPC and no fallback serves", async () => {
    expect((await handler(new Request("http://tokenwire.test/elsewhere"))).status).toBe(404);
  });
});
