import { describe, expect, it } from "vitest";
import OpenAI from "openai";
import { defaultTokens } from "../../fixtures/fake-openai.ts";
import { firstDelta, readUntil, textOf, toEnd } from "./response-events.ts";
import { responseLogs, useResponseReplicas } from "./response-replicas.ts";
import { question, weather } from "./weather-tool.ts";

// Every response is kept for the log's retention, in the foreground too: one replica makes a response, and a
// response that follows it with `previous_response_id` may be asked of the other.
describe.each(responseLogs)("previous_response_id on %s", (_name, createLog) => {
  const replicas = useResponseReplicas(createLog, ["echo", "agent", "paced-20", "lockstep"]);
  const { client } = replicas;
  const a = () => replicas.a;
  const b = () => replicas.b;
  const sentUpstream = () => b().upstream.requests.at(-1)!.body;

  it("should give the model the previous turn's input and output before the new input, but not its instructions", async () => {
    const first = await client(a()).responses.create({ model: "echo", instructions: "Speak plainly", input: "Hello there" });
    expect(first.output_text).toBe("Speak plainly");
    const second = await client(b()).responses.create({ model: "echo", previous_response_id: first.id, input: "And now?" });
    expect(sentUpstream().messages).toEqual([
      { role: "user", content: "Hello there" },
      { role: "assistant", content: "Speak plainly" },
      { role: "user", content: "And now?" },
    ]);
    expect(second).toMatchObject({ status: "completed", previous_response_id: first.id, output_text: "And now?" });
  });

  it("should follow a chain to its first turn, through a streamed turn, with the new turn's own instructions first", async () => {
    const first = await client(a()).responses.create({ model: "echo", input: "one" });
    const events = await toEnd(await client(b()).responses.create({ model: "echo", previous_response_id: first.id, input: [{ role: "user", content: "two" }], stream: true }));
    const second = (events.at(-1) as OpenAI.Responses.ResponseCompletedEvent).response;
    const third = await client(a()).responses.create({ model: "echo", previous_response_id: second.id, instructions: "Be brief", input: "three" });
    expect(a().upstream.requests.at(-1)!.body.messages).toEqual([
      { role: "system", content: "Be brief" },
      { role: "user", content: "one" },
      { role: "assistant", content: "one" },
      { role: "user", content: "two" },
      { role: "assistant", content: "two" },
      { role: "user", content: "three" },
    ]);
    expect(third.output_text).toBe("Be brief");
  });

  it("should take a function call's output with only the previous response's id, as the openai client and the Agents SDK run tools", async () => {
    const first = await client(a()).responses.create({ model: "agent", input: question, tools: [weather] });
    const call = first.output[0] as OpenAI.Responses.ResponseFunctionToolCall;
    expect(call).toMatchObject({ type: "function_call", name: "get_weather", arguments: '{"city":"Paris"}' });
    const second = await client(b()).responses.create({
      model: "agent",
      previous_response_id: first.id,
      input: [{ type: "function_call_output", call_id: call.call_id, output: "Sunny, 24 °C" }],
      tools: [weather],
    });
    expect(second.output_text).toBe("The tool says: Sunny, 24 °C");
    expect(sentUpstream().messages).toEqual([
      { role: "user", content: question },
      { role: "assistant", content: "", tool_calls: [{ id: call.call_id, type: "function", function: { name: "get_weather", arguments: '{"city":"Paris"}' } }] },
      { role: "tool", tool_call_id: call.call_id, content: "Sunny, 24 °C" },
    ]);
  });

  it("should read a response back on either replica as it was answered, the request's fields repeated", async () => {
    const first = await client(a()).responses.create({ model: "echo", input: "one" });
    const asked = {
      model: "echo",
      previous_response_id: first.id,
      instructions: "Be brief",
      input: "two",
      temperature: 0.5,
      max_output_tokens: 40,
      tools: [weather],
      tool_choice: "none" as const,
      metadata: { job: "7" },
    };
    const { input: _, ...repeated } = asked;
    const second = await client(a()).responses.create(asked);
    expect(second).toMatchObject({ ...repeated, background: false, store: true });
    expect(await client(b()).responses.retrieve(second.id)).toEqual(second);
    const queued = await client(a()).responses.create({ ...asked, background: true });
    await toEnd(await client(b()).responses.retrieve(queued.id, { stream: true }));
    expect(await client(b()).responses.retrieve(queued.id)).toMatchObject({ ...repeated, background: true, store: true, status: "completed" });
  });

  it("should stop the model when a kept response's client leaves, and keep the response cancelled with what it had, to follow", async () => {
    const upstream = a().upstream.nextRequest();
    const had = await readUntil(await client(a()).responses.create({ model: "paced-20", input: "hi", stream: true }), firstDelta);
    expect(await (await upstream).ended).toBe("client-closed");
    const id = (had[0] as OpenAI.Responses.ResponseCreatedEvent).response.id;
    const kept = await client(b()).responses.retrieve(id);
    expect(kept).toMatchObject({ status: "cancelled", output: [{ type: "message", status: "incomplete" }] });
    expect(defaultTokens.join("").startsWith(textOf(kept))).toBe(true);
    await client(b()).responses.create({ model: "echo", previous_response_id: id, input: "go on" });
    expect(sentUpstream().messages).toEqual([
      { role: "user", content: "hi" },
      { role: "assistant", content: textOf(kept) },
      { role: "user", content: "go on" },
    ]);
  });

  it("should stop the model when the client of a kept response that does not stream leaves", async () => {
    const upstream = a().upstream.nextRequest();
    const leaving = new AbortController();
    const answer = client(a()).responses.create({ model: "paced-20", input: "hi" }, { signal: leaving.signal });
    const request = await upstream;
    leaving.abort();
    await expect(answer).rejects.toBeInstanceOf(OpenAI.APIUserAbortError);
    expect(await request.ended).toBe("client-closed");
  });

  it("should refuse to follow a response still generating, whose output is not whole yet", async () => {
    const upstream = a().upstream.nextRequest();
    const running = await client(a()).responses.create({ model: "lockstep", input: "hi", background: true });
    const failure = await client(b()).responses.create({ model: "echo", previous_response_id: running.id, input: "and?" }).catch((error: unknown) => error);
    expect(failure).toMatchObject({ status: 400, code: "invalid_argument", message: expect.stringContaining("previous_response_id names a response still in progress") });
    const request = await upstream;
    for (const _ of defaultTokens) request.step();
    await toEnd(await client(b()).responses.retrieve(running.id, { stream: true }));
  });

  it("should answer 404 in OpenAI's words for a response it does not hold: unknown, not kept, or another caller's", async () => {
    const unkept = await client(a()).responses.create({ model: "echo", input: "forget me", store: false });
    const mine = await client(a()).responses.create({ model: "echo", input: "mine" });
    const attempts = [
      { caller: "alice", id: `resp_${"0".repeat(32)}` },
      { caller: "alice", id: "resp_1" },
      { caller: "alice", id: unkept.id },
      { caller: "mallory", id: mine.id },
    ];
    const asked = b().upstream.requests.length;
    for (const { caller, id } of attempts) {
      const failure = await client(b(), caller).responses.create({ model: "echo", previous_response_id: id, input: "hi" }).catch((error: unknown) => error);
      expect(failure).toBeInstanceOf(OpenAI.NotFoundError);
      expect((failure as { error: unknown }).error).toEqual({
        message: expect.stringContaining(`no response ${id} here to follow`),
        type: "invalid_request_error",
        param: "previous_response_id",
        code: "previous_response_not_found",
      });
    }
    // None of them reached the model.
    expect(b().upstream.requests.length).toBe(asked);
  });
});
