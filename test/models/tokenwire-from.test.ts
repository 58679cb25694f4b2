import { describe, expect, it } from "vitest";
import { RunnableLambda } from "@langchain/core/runnables";
import { tokenwireFrom } from "../../src/models/tokenwire-from.ts";
import { LocalChatModel } from "../../src/models/local-chat-model.ts";

const tools = [{ name: "get_weather", parameters: { type: "object", properties: {} } }];

describe("tokenwireFrom() with one model or runnable", () => {
  it("should refuse a request's tools for a runnable, which has its own tools or none", async () => {
    const tokenwire = tokenwireFrom({ runnable: RunnableLambda.from(async () => "hi"), inputFrom: () => ({}) });
    await expect(tokenwire.generate({ prompt: "x", tools })).rejects.toMatchObject({ code: "invalid_argument", message: "this server's model does not take the request's tools: send the request without them" });
  });

  it("should refuse a request's tools for a chat model that cannot bind them", async () => {
    const tokenwire = tokenwireFrom({ model: new LocalChatModel({ tokensPerSecond: 0 }) });
    await expect(tokenwire.generate({ prompt: "x", tools })).rejects.toMatchObject({ code: "invalid_argument", message: "this server's model does not take the request's tools: send the request without them" });
    expect((await tokenwire.generate({ prompt: "x" })).text).toMatch(/You said: x$/);
  });
});
