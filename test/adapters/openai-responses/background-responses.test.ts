import { describe, expect, it } from "vitest";
import type OpenAI from "openai";
import { defaultTokens } from "../../fixtures/fake-openai.ts";
import { isIncreasing } from "../../support/collect.ts";
import { accumulated, deltaText, firstDelta, readUntil, textOf, toEnd } from "./response-events.ts";
import { responseLogs, useResponseReplicas } from "./response-replicas.ts";

const everyText = defaultTokens.join("");

// Where background responses live: this process's memory (one server), or Redis shared by two replicas, where there
// is a redis-server; a client that drops on one resumes, reads or cancels on the other.
describe.each(responseLogs)("background responses on %s", (_name, createLog) => {
  const replicas = useResponseReplicas(createLog, ["echo", "paced-20", "lockstep"]);
  const { client } = replicas;
  const a = () => replicas.a;
  const b = () => replicas.b;

  const resumed = (id: string, startingAfter?: number) => client(b()).responses.retrieve(id, { stream: true, starting_after: startingAfter });

  it("should answer at once in_progress, then GET answers it as it stands and, once it has ended, whole", async () => {
    const upstream = a().upstream.nextRequest();
    const created = await client(a()).responses.create({ model: "lockstep", input: "hi", background: true, metadata: { job: "7" } });
    expect(created).toMatchObject({ id: expect.stringMatching(/^resp_/), status: "in_progress", background: true, metadata: { job: "7" } });
    // The model has sent its first token and holds the rest: the response stands at it.
    await readUntil(await resumed(created.id), firstDelta);
    const standing = await client(b()).responses.retrieve(created.id);
    expect(standing).toMatchObject({ id: created.id, status: "in_progress", created_at: created.created_at, model: "lockstep", usage: null });
    expect(textOf(standing)).toBe(defaultTokens[0]);
    const request = await upstream;
    for (const _ of defaultTokens) request.step();
    await toEnd(await resumed(created.id));
    const ended = await client(b()).responses.retrieve(created.id);
    expect(ended).toMatchObject({ status: "completed", usage: { total_tokens: request.sent.usage!.total_tokens } });
    expect(textOf(ended)).toBe(everyText);
  });

  it("should resume a stream dropped after some events with exactly the events after the last one it had", async () => {
    const upstream = a().upstream.nextRequest();
    const had = await readUntil(await client(a()).responses.create({ model: "paced-20", input: "hi", background: true, stream: true }), (events) => deltaText(events).length >= defaultTokens.slice(0, 3).join("").length);
    const id = (had[0] as OpenAI.Responses.ResponseCreatedEvent).response.id;
    const last = had.at(-1)!.sequence_number;
    const rest = await toEnd(await resumed(id, last));
    expect(rest[0]!.sequence_number).toBeGreaterThan(last);
    expect(isIncreasing([...had, ...rest].map((event) => event.sequence_number))).toBe(true);
    expect(deltaText(had) + deltaText(rest)).toBe(everyText);
    expect(rest.at(-1)).toMatchObject({ type: "response.completed", response: { id, status: "completed" } });
    // The client's accumulator takes the two parts as one stream, and they make the response that a whole replay makes.
    const whole = await toEnd(await resumed(id));
    expect((await accumulated([...had, ...rest])).output).toEqual((await accumulated(whole)).output);
    expect(await (await upstream).ended).toBe("completed");
  });

  it("should generate to the end a response whose client left right after response.created", async () => {
    const upstream = a().upstream.nextRequest();
    const [created] = await readUntil(await client(a()).responses.create({ model: "paced-20", input: "hi", background: true, stream: true }), () => true);
    expect(created).toMatchObject({ type: "response.created", sequence_number: 0, response: { status: "in_progress" } });
    expect(await (await upstream).ended).toBe("completed");
    const id = (created as OpenAI.Responses.ResponseCreatedEvent).response.id;
    await toEnd(await resumed(id));
    const response = await client(b()).responses.retrieve(id);
    expect(response.status).toBe("completed");
    expect(textOf(response)).toBe(everyText);
  });

  it("should cancel it from the other replica: the model stops, the output so far stays, and cancelling again changes nothing", async () => {
    const upstream = a().upstream.nextRequest();
    const created = await client(a()).responses.create({ model: "lockstep", input: "hi", background: true });
    await readUntil(await resumed(created.id), firstDelta);
    const cancelled = await client(b()).responses.cancel(created.id);
    expect(cancelled).toMatchObject({ id: created.id, status: "cancelled", output: [{ type: "message", status: "incomplete" }] });
    expect(textOf(cancelled)).toBe(defaultTokens[0]);
    expect(await (await upstream).ended).toBe("client-closed");
    expect(await client(b()).responses.cancel(created.id)).toEqual(cancelled);
    expect(await client(a()).responses.retrieve(created.id)).toMatchObject(cancelled);
    // A stream read after the cancel ends as the Responses API ends what did not complete.
    expect((await toEnd(await resumed(created.id))).at(-1)).toMatchObject({ type: "response.incomplete", response: { status: "cancelled" } });
  });

  it("should keep a response from another caller: not found to read, to resume or to cancel", async () => {
    const created = await client(a()).responses.create({ model: "echo", input: "mine", background: true });
    const mallory = client(b(), "mallory");
    for (const attempt of [() => mallory.responses.retrieve(created.id), () => mallory.responses.retrieve(created.id, { stream: true }), () => mallory.responses.cancel(created.id)]) {
      await expect(attempt()).rejects.toMatchObject({ status: 404, code: "not_found" });
    }
    await toEnd(await resumed(created.id));
    expect(textOf(await client(b()).responses.retrieve(created.id))).toBe("mine");
  });
});
