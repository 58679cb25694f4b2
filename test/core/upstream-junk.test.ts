import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { streamTokens } from "../../src/index.ts";
import { openAIModelFactory } from "../../src/models/openai-model.ts";
import { defaultTokens, startFakeOpenAI, type FakeOpenAI } from "../fixtures/fake-openai.ts";
import { collect } from "../support/collect.ts";
import { textOf } from "../support/stream-text.ts";

let upstream: FakeOpenAI;
beforeAll(async () => {
  upstream = await startFakeOpenAI();
});
afterAll(() => upstream.close());

const run = (model: string) => collect(streamTokens(openAIModelFactory({ baseURL: upstream.url, maxRetries: 0 })({ model }), "hi", { model }));

describe("streamTokens() on an upstream that answers 200 with something else than a stream", () => {
  it.each([
    ["junk-html", /an HTML page and not an event stream/],
    ["junk-json", /application\/json and not an event stream/],
    ["junk-garbage", /held no chunk/],
    ["junk-empty", /held no chunk/],
  ])("should end %s with unavailable and a message that names the problem, never as an empty success", async (model, message) => {
    const { events, error } = await run(model);
    expect(error).toMatchObject({ code: "unavailable", message: expect.stringMatching(message) });
    expect(events.map((e) => e.type)).toEqual(["started"]);
  });

  it("should pass on a finish reason it does not know as other, with the upstream's word", async () => {
    const { events, error } = await run("finish-odd");
    expect(error).toBeUndefined();
    expect(textOf(events)).toBe(defaultTokens.join(""));
    expect(events.at(-1)).toMatchObject({ type: "finished", finishReason: "other", upstreamFinishReason: "odd" });
  });
});
