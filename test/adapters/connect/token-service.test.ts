import { describe, expect, it } from "vitest";
import { Code, createClient } from "@connectrpc/connect";
import { createGrpcTransport } from "@connectrpc/connect-node";
import { TokenService } from "../../../gen/tokenwire/v1/token_service_pb.js";
import { defaultTokens } from "../../fixtures/fake-openai.ts";
import { useTokenwireServer } from "../../support/tokenwire-test-server.ts";
import { readAll } from "../../support/read-stream.ts";
import { isCode } from "../../support/code-of.ts";

const server = useTokenwireServer();
const client = () => createClient(TokenService, createGrpcTransport({ baseUrl: server.current.baseUrl }));
const prompt = (value: string, template?: string) => ({ generation: { input: { case: "prompt" as const, value }, template } });

describe("tokenServiceImpl().streamRunEvents", () => {
  it("should stream the chain's run events in order, with the model's tokens on its stream events", async () => {
    const events = await readAll(client().streamRunEvents(prompt("hello", "seed")));
    const kinds = events.map((e) => e.event);
    expect(kinds[0]).toBe("on_chain_start");
    expect(kinds).toEqual(expect.arrayContaining(["on_prompt_start", "on_prompt_end", "on_chat_model_start", "on_chat_model_end"]));
    expect(kinds.at(-1)).toBe("on_chain_end");
    expect(events.map((e) => e.sequence)).toEqual(events.map((_, i) => BigInt(i)));
    const streamed = events.filter((e) => e.event === "on_chat_model_stream");
    expect(streamed.map((e) => e.text).join("")).toBe(defaultTokens.join(""));
    const promptStart = events.find((e) => e.event === "on_prompt_start")!;
    expect(JSON.parse(promptStart.dataJson)).toEqual({ input: { human_input: "hello" } });
  });

  it("should refuse an empty prompt with INVALID_ARGUMENT before any model runs", async () => {
    const before = server.current.upstream.requests.length;
    await expect(readAll(client().streamRunEvents(prompt("", "seed")))).rejects.toSatisfy(isCode(Code.InvalidArgument));
    expect(server.current.upstream.requests.length).toBe(before);
  });

  it("should close the upstream request when the client cancels", async () => {
    const controller = new AbortController();
    const arrived = server.current.upstream.nextRequest();
    const read = async () => {
      const request = { generation: { ...prompt("hi", "seed").generation, model: "paced-50" } };
      for await (const event of client().streamRunEvents(request, { signal: controller.signal })) {
        if (event.event === "on_chat_model_stream" && event.text) controller.abort();
      }
    };
    await expect(read()).rejects.toSatisfy(isCode(Code.Canceled));
    expect(await (await arrived).ended).toBe("client-closed");
  });
});
