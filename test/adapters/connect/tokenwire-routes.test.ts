import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createClient, type Transport } from "@connectrpc/connect";
import { createConnectTransport, createGrpcTransport, createGrpcWebTransport } from "@connectrpc/connect-node";
import { TokenService } from "../../../gen/tokenwire/v1/token_service_pb.js";
import { Chatgpt } from "../../../gen/openai/chatgpt_pb.js";
import { createTokenwireServer, type TokenwireServer } from "../../../src/server/create-tokenwire-server.ts";
import { createModelCatalog } from "../../../src/models/model-catalog.ts";
import { LocalChatModel, localReply } from "../../../src/models/local-chat-model.ts";
import { seedInputVariable, seedTemplate } from "../../../src/models/seed-template.ts";
import { HumanMessage } from "@langchain/core/messages";
import { readAll } from "../../support/read-stream.ts";
import { deltaTextOf } from "../../support/stream-text.ts";

let server: TokenwireServer;
let baseUrl: string;
beforeAll(async () => {
  server = createTokenwireServer({
    resolve: createModelCatalog({
      defaultModel: "local",
      allowedModels: ["local"],
      createModel: () => new LocalChatModel({ tokensPerSecond: 0 }),
      templates: { seed: { template: seedTemplate, inputVariable: seedInputVariable } },
    }),
  });
  const { port } = await server.listen();
  baseUrl = `http://127.0.0.1:${port}`;
});
afterAll(() => server.shutdown(100));

const transports: [string, () => Transport][] = [
  ["connect over HTTP/1.1", () => createConnectTransport({ baseUrl, httpVersion: "1.1" })],
  ["connect over HTTP/2", () => createConnectTransport({ baseUrl, httpVersion: "2" })],
  ["gRPC", () => createGrpcTransport({ baseUrl })],
  ["gRPC-Web", () => createGrpcWebTransport({ baseUrl, httpVersion: "1.1" })],
];

describe.each(transports)("tokenwireRoutes() over %s", (_, transport) => {
  it("should stream started, the reply's tokens and finished", async () => {
    const client = createClient(TokenService, transport());
    const events = await readAll(client.streamTokens({ generation: { input: { case: "prompt", value: "hi there" } } }));
    expect(events[0]?.event.case).toBe("started");
    expect(deltaTextOf(events)).toBe(localReply([new HumanMessage("hi there")]));
    expect(events.at(-1)?.event.case).toBe("finished");
  });

  it("should answer the seed's Chatgpt/Send one Answer per token", async () => {
    const client = createClient(Chatgpt, transport());
    let text = "";
    for await (const answer of client.send({ content: "hello seed" })) text += answer.content;
    expect(text).toBe(localReply([new HumanMessage("hello seed")]));
  });
});
