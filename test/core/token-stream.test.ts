import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { streamTokens } from "../../src/core/token-stream.ts";
import { TokenwireError } from "../../src/core/tokenwire-error.ts";
import { openAIModelFactory } from "../../src/models/openai-model.ts";
import { defaultTokens, startFakeOpenAI, type FakeOpenAI } from "../fixtures/fake-openai.ts";

let upstream: FakeOpenAI;
beforeAll(async () => {
  upstream = await startFakeOpenAI();
});
afterAll(() => upstream.close());

const chatModel = (model: string) => openAIModelFactory({ apiKey: "sk-test", baseURL: upstream.url, maxRetries: 0 })({ model });

describe("streamTokens()", () => {
  it("should stream a chat model's reply with for await", async () => {
    let text = "";
    for await (const event of streamTokens(chatModel("gpt-test"), "hi", { model: "gpt-test" })) {
      if (event.type === "delta") text += event.text;
    }
    expect(text).toBe(defaultTokens.join(""));
  });

  it("should cancel the model call when the loop breaks", async () => {
    const arrived = upstream.nextRequest();
    for await (const event of streamTokens(chatModel("paced-30"), "hi")) {
      if (event.type === "delta") break;
    }
    const request = await arrived;
    expect(await request.ended).toBe("client-closed");
    expect(request.tokensSent).toBeLessThan(defaultTokens.length);
  });

  it("should cancel the model call when the caller's signal aborts, and throw canceled", async () => {
    const controller = new AbortController();
    const arrived = upstream.nextRequest();
    const read = async () => {
      for await (const event of streamTokens(chatModel("paced-30"), "hi", { signal: controller.signal })) {
        if (event.type === "delta") controller.abort();
      }
    };
    await expect(read()).rejects.toSatisfy((e) => e instanceof TokenwireError && e.code === "canceled");
    expect(await (await arrived).ended).toBe("client-closed");
  });
});
