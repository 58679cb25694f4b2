import { execFile } from "node:child_process";
import { promisify } from "node:util";
import { describe, expect, it } from "vitest";
import { Code, createClient } from "@connectrpc/connect";
import { createGrpcTransport } from "@connectrpc/connect-node";
import { FinishReason, TokenService } from "../../../gen/tokenwire/v1/token_service_pb.js";
import { defaultTokens } from "../../fixtures/fake-openai.ts";
import { useTokenwireServer } from "../../support/tokenwire-test-server.ts";
import { docText } from "../../support/docs.ts";
import { isCode } from "../../support/code-of.ts";

const server = useTokenwireServer({ allowedModels: ["gpt-test", "paced-50", "status-429"] });
const client = () => createClient(TokenService, createGrpcTransport({ baseUrl: server.current.baseUrl }));
const generation = (value: string, model = "gpt-test") => ({ generation: { input: { case: "prompt" as const, value }, model } });

// The curl command docs/service.md shows for Generate, pointed at the test server.
function shownCurl(baseUrl: string): string[] {
  const line = docText("docs/service.md").split("\n").find((l) => l.startsWith("curl ") && l.includes("/Generate"));
  if (!line) throw new Error("docs/service.md shows no curl command for Generate");
  const args = [...line.matchAll(/'([^']*)'|(\S+)/g)].map((m) => m[1] ?? m[2]!).slice(1);
  return args.map((arg) => arg.replace("http://127.0.0.1:8080", baseUrl));
}

describe("tokenServiceImpl().generate", () => {
  it("should answer the curl command of docs/service.md with the whole answer, its finish reason and usage, as JSON", async () => {
    const { stdout } = await promisify(execFile)("curl", ["-sS", ...shownCurl(server.current.baseUrl)]);
    const answer = JSON.parse(stdout);
    expect(answer).toMatchObject({ model: "gpt-test", text: defaultTokens.join(""), finishReason: "FINISH_REASON_STOP" });
    expect(answer.usage).toEqual({ inputTokens: 7, outputTokens: defaultTokens.length, totalTokens: 7 + defaultTokens.length });
  });

  it("should answer over gRPC with the same answer", async () => {
    const answer = await client().generate(generation("hi"));
    expect(answer.text).toBe(defaultTokens.join(""));
    expect(answer.finishReason).toBe(FinishReason.STOP);
    expect(answer.runId).not.toBe("");
  });

  it("should refuse a malformed JSON body with invalid_argument and an empty prompt before any model runs", async () => {
    const before = server.current.upstream.requests.length;
    const post = (body: string) =>
      fetch(`${server.current.baseUrl}/tokenwire.v1.TokenService/Generate`, { method: "POST", headers: { "content-type": "application/json" }, body });
    const malformed = await post('{"generation":');
    expect(malformed.status).toBe(400);
    expect(await malformed.json()).toMatchObject({ code: "invalid_argument" });
    const empty = await post('{"generation":{"prompt":""}}');
    expect(await empty.json()).toEqual({ code: "invalid_argument", message: "the prompt is empty" });
    expect(server.current.upstream.requests.length).toBe(before);
  });

  it("should end with the upstream's failure as a status", async () => {
    await expect(client().generate(generation("hi", "status-429"))).rejects.toSatisfy(isCode(Code.ResourceExhausted));
  });

  it("should close the upstream request when the client cancels", async () => {
    const controller = new AbortController();
    const arrived = server.current.upstream.nextRequest();
    const call = client().generate(generation("hi", "paced-50"), { signal: controller.signal });
    await arrived;
    controller.abort();
    await expect(call).rejects.toSatisfy(isCode(Code.Canceled));
    expect(await (await arrived).ended).toBe("client-closed");
  });
});

describe("tokenServiceImpl().listModels", () => {
  it("should list the models the server offers and its default", async () => {
    const list = await client().listModels({});
    expect(list.models.map((m) => m.name)).toEqual(["gpt-test", "paced-50", "status-429"]);
    expect(list.defaultModel).not.toBe("");
    expect(list.acceptsAnyModel).toBe(false);
  });
});
