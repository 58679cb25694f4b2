import { describe, expect, it } from "vitest";
import OpenAI from "openai";
import { newResponseId } from "../../../src/adapters/openai-responses/response-ids.ts";
import { defaultTokens } from "../../fixtures/fake-openai.ts";
import { firstDelta, textOf, toEnd, type StreamEvent } from "./response-events.ts";
import { responseLogs, useResponseReplicas } from "./response-replicas.ts";

// How a call failed, as the openai client reports it: its status and OpenAI's error object, the id named in its
// message put as `{id}`, so that the failures for two ids compare.
async function failureOf(call: () => Promise<unknown>, id: string): Promise<{ status: unknown; error: unknown }> {
  const failure = await call().then(() => expect.fail("the call succeeded"), (error: unknown) => error);
  expect(failure).toBeInstanceOf(OpenAI.APIError);
  const { status, error } = failure as { status: unknown; error: unknown };
  return { status, error: JSON.parse(JSON.stringify(error).replaceAll(id, "{id}")) };
}

// Reads a stream up to its first text, and keeps it open: its reader stays while the test goes on.
async function readToFirstText(stream: AsyncIterable<StreamEvent>): Promise<{ had: StreamEvent[]; rest: () => Promise<StreamEvent[]> }> {
  const events = stream[Symbol.asyncIterator]();
  const had: StreamEvent[] = [];
  while (!firstDelta(had)) {
    const next = await events.next();
    if (next.done) expect.fail("the stream ended before its first text");
    had.push(next.value);
  }
  return { had, rest: () => toEnd({ [Symbol.asyncIterator]: () => events }) };
}

// A response is deleted on one replica and found no more on either: in memory on one server, or in Redis shared by two.
describe.each(responseLogs)("DELETE /v1/responses/{id} on %s", (_name, createLog) => {
  const replicas = useResponseReplicas(createLog, ["echo", "lockstep"]);
  const { client } = replicas;
  const a = () => replicas.a;
  const b = () => replicas.b;

  // Every way to reach a kept response: its object, its stream, its input items, a response that follows it, and a delete.
  const reaches = (openai: OpenAI, id: string) => [
    () => openai.responses.retrieve(id),
    () => openai.responses.retrieve(id, { stream: true, starting_after: 0 }),
    () => openai.responses.inputItems.list(id),
    () => openai.responses.create({ model: "echo", previous_response_id: id, input: "and then?" }),
    () => openai.responses.delete(id),
  ];

  it("should answer OpenAI's deletion object, then answer every request for the response as it answers an unknown id", async () => {
    const created = await client(a()).responses.create({ model: "echo", input: "forget me" });
    const answer = await client(b()).responses.delete(created.id).asResponse();
    expect(answer.status).toBe(200);
    expect(await answer.json()).toEqual({ id: created.id, object: "response", deleted: true });
    const unknown = newResponseId();
    for (const server of [a(), b()]) {
      const [deleted, never] = [reaches(client(server), created.id), reaches(client(server), unknown)];
      for (const [i, call] of deleted.entries()) expect(await failureOf(call, created.id)).toEqual(await failureOf(never[i]!, unknown));
    }
    expect(await failureOf(() => client(a()).responses.retrieve(created.id), created.id)).toMatchObject({ status: 404, error: { code: "not_found" } });
  });

  it("should stop a response still generating, close its model's call, and then delete it", async () => {
    const upstream = a().upstream.nextRequest();
    const created = await client(a()).responses.create({ model: "lockstep", input: "hi", background: true });
    const reading = await readToFirstText(await client(a()).responses.retrieve(created.id, { stream: true }));
    await client(b()).responses.delete(created.id);
    expect(await (await upstream).ended).toBe("client-closed");
    // Its reader's stream ends as a cancelled response's does, with the text it had.
    const last = (await reading.rest()).at(-1) as OpenAI.Responses.ResponseIncompleteEvent;
    expect(last).toMatchObject({ type: "response.incomplete", response: { id: created.id, status: "cancelled" } });
    expect(textOf(last.response)).toBe(defaultTokens[0]);
    await expect(client(a()).responses.retrieve(created.id)).rejects.toBeInstanceOf(OpenAI.NotFoundError);
  });

  it("should end a foreground stream's reader as cancelled when its response is deleted while it generates", async () => {
    const upstream = a().upstream.nextRequest();
    const reading = await readToFirstText(await client(a()).responses.create({ model: "lockstep", input: "hi", stream: true }));
    const id = (reading.had[0] as OpenAI.Responses.ResponseCreatedEvent).response.id;
    await client(b()).responses.delete(id);
    expect((await reading.rest()).at(-1)).toMatchObject({ type: "response.incomplete", response: { id, status: "cancelled" } });
    expect(await (await upstream).ended).toBe("client-closed");
    await expect(client(b()).responses.retrieve(id)).rejects.toBeInstanceOf(OpenAI.NotFoundError);
  });

  it("should let only the response's caller delete it: another caller's delete is not found, and the response stays", async () => {
    const created = await client(a()).responses.create({ model: "echo", input: "mine" });
    const unknown = newResponseId();
    expect(await failureOf(() => client(b(), "mallory").responses.delete(created.id), created.id)).toEqual(await failureOf(() => client(b(), "mallory").responses.delete(unknown), unknown));
    expect((await client(b()).responses.retrieve(created.id)).output_text).toBe("mine");
    await client(b()).responses.delete(created.id);
    await expect(client(b()).responses.retrieve(created.id)).rejects.toBeInstanceOf(OpenAI.NotFoundError);
  });
});
