import { describe, expect, it } from "vitest";
import OpenAI from "openai";
import { responseLogs, useResponseReplicas } from "./response-replicas.ts";
import { question, weather } from "./weather-tool.ts";

// A response's input items are the conversation its note keeps: its whole chain's, read on either replica.
describe.each(responseLogs)("GET /v1/responses/{id}/input_items on %s", (_name, createLog) => {
  const replicas = useResponseReplicas(createLog, ["echo", "agent"]);
  const { client } = replicas;
  const a = () => replicas.a;
  const b = () => replicas.b;

  it("should list a chain's items newest first, and page through them oldest first with the openai client", async () => {
    const first = await client(a()).responses.create({ model: "agent", instructions: "Be brief", input: question, tools: [weather] });
    const call = first.output[0] as OpenAI.Responses.ResponseFunctionToolCall;
    const output = { type: "function_call_output" as const, call_id: call.call_id, output: "Sunny, 24 °C" };
    const second = await client(b()).responses.create({ model: "agent", previous_response_id: first.id, input: [output], tools: [weather] });
    const third = await client(a()).responses.create({ model: "echo", previous_response_id: second.id, input: [{ role: "developer", content: "Say it again" }, { role: "user", content: "thanks" }] });
    const id = (kind: string, index: number) => `${kind}_${third.id.slice("resp_".length)}_in${index}`;
    const oldestFirst = [
      { id: id("msg", 0), type: "message", role: "user", status: "completed", content: [{ type: "input_text", text: question }] },
      { id: id("fc", 1), type: "function_call", status: "completed", call_id: call.call_id, name: "get_weather", arguments: '{"city":"Paris"}' },
      { id: id("fco", 2), type: "function_call_output", status: "completed", call_id: call.call_id, output: "Sunny, 24 °C" },
      { id: id("msg", 3), type: "message", role: "assistant", status: "completed", content: [{ type: "output_text", text: second.output_text, annotations: [] }] },
      { id: id("msg", 4), type: "message", role: "system", status: "completed", content: [{ type: "input_text", text: "Say it again" }] },
      { id: id("msg", 5), type: "message", role: "user", status: "completed", content: [{ type: "input_text", text: "thanks" }] },
    ];
    const page = await client(b()).responses.inputItems.list(third.id);
    expect(page.data).toEqual([...oldestFirst].reverse());
    expect(page.has_more).toBe(false);
    const paged: unknown[] = [];
    for await (const item of client(a()).responses.inputItems.list(third.id, { order: "asc", limit: 4 })) paged.push(item);
    expect(paged).toEqual(oldestFirst);
    const firstPage = await client(b()).responses.inputItems.list(third.id, { order: "asc", limit: 4 });
    expect(firstPage.hasNextPage()).toBe(true);
    expect((await firstPage.getNextPage()).data).toEqual(oldestFirst.slice(4));
  });

  it("should answer 404 for a response it does not hold: unknown, not kept, or another caller's", async () => {
    const unkept = await client(a()).responses.create({ model: "echo", input: "forget me", store: false });
    const mine = await client(a()).responses.create({ model: "echo", input: "mine" });
    const attempts = [
      { caller: "alice", id: `resp_${"0".repeat(32)}` },
      { caller: "alice", id: unkept.id },
      { caller: "mallory", id: mine.id },
    ];
    for (const { caller, id } of attempts) {
      await expect(client(b(), caller).responses.inputItems.list(id)).rejects.toBeInstanceOf(OpenAI.NotFoundError);
    }
  });

  it.each([
    ["a limit of 0", "limit=0", "limit must be an integer from 1 to 100"],
    ["a limit that is not a number", "limit=ten", "limit must be an integer from 1 to 100"],
    ["an order that is neither", "order=newest", "order must be asc or desc"],
    ["an after that names no item of the list", "after=msg_1", "after names no input item of"],
    ["a parameter it does not take", "include=x", "include is not a parameter of this list (after or limit or order)"],
  ])("should refuse %s", async (_what, query, message) => {
    const mine = await client(a()).responses.create({ model: "echo", input: "mine" });
    const answer = await fetch(`${b().baseUrl}/v1/responses/${mine.id}/input_items?${query}`, { headers: { authorization: "Bearer alice" } });
    expect(answer.status).toBe(400);
    expect(await answer.json()).toMatchObject({ error: { type: "invalid_request_error", message: expect.stringContaining(message) } });
  });

  it("should refuse an id that is not a response's", async () => {
    const answer = await fetch(`${b().baseUrl}/v1/responses/resp_1/input_items`, { headers: { authorization: "Bearer alice" } });
    expect(answer.status).toBe(400);
  });
});
