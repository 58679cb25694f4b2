import { describe, expect, it } from "vitest";
import { Code, createClient, type Client } from "@connectrpc/connect";
import { FinishReason, TokenService, type StreamTokensResponse } from "../../../gen/tokenwire/v1/token_service_pb.js";
import { defaultTokens } from "../../fixtures/fake-openai.ts";
import { transportsTo, useTokenwireServer } from "../../support/tokenwire-test-server.ts";
import { deltaTextOf } from "../../support/stream-text.ts";
import { readAll, streamIdOf } from "../../support/read-stream.ts";
import { isCode } from "../../support/code-of.ts";

// Callers name themselves in a header: enough to prove that a stream is its owner's alone.
const server = useTokenwireServer({
  streams: { graceMs: 300 },
  authenticate: (headers) => headers.get("x-caller") ?? undefined,
});
const everyText = defaultTokens.join("");
const request = (model: string) => ({ generation: { input: { case: "prompt" as const, value: "hi" }, model }, resumable: true });

describe.each(transportsTo(() => server.current.baseUrl))("ResumeStream and StopStream over %s", (_name, transport) => {
  const client = (): Client<typeof TokenService> => createClient(TokenService, transport());

  it("should go on exactly where a dropped client left off, with no event twice", async () => {
    const first = await readAll((signal) => client().streamTokens(request("paced-20"), { signal }), (r) => r.event.case === "delta" && r.sequence >= 3n);
    const streamId = streamIdOf(first);
    expect(streamId).not.toBe("");
    const last = first.at(-1)!.sequence;
    const rest = await readAll((signal) => client().resumeStream({ streamId, afterSequence: last }, { signal }));
    // A reader that falls behind gets deltas merged, each with its last part's sequence: the first is past `last`.
    expect(rest[0]!.sequence).toBeGreaterThan(last);
    expect(deltaTextOf([...first, ...rest])).toBe(everyText);
    const sequences = [...first, ...rest].map((r) => r.sequence);
    expect(new Set(sequences).size).toBe(sequences.length);
    expect(rest.at(-1)?.event.case).toBe("finished");
  });

  it("should let a second reader join mid-stream and read it whole from 0", async () => {
    const reading = client().streamTokens(request("paced-20"));
    const iterator = reading[Symbol.asyncIterator]();
    const started = (await iterator.next()).value as StreamTokensResponse;
    const joined = readAll((signal) => client().resumeStream({ streamId: streamIdOf([started]), afterSequence: 0n }, { signal }));
    const firstReader = [started];
    for (let next = await iterator.next(); !next.done; next = await iterator.next()) firstReader.push(next.value);
    expect(deltaTextOf(firstReader)).toBe(everyText);
    expect(deltaTextOf(await joined)).toBe(everyText);
  });

  it("should stop the generation from another call, close the upstream request, and end the stream with stopped", async () => {
    const arrived = server.current.upstream.nextRequest();
    const responses: StreamTokensResponse[] = [];
    let stop: { stopped: boolean } | undefined;
    for await (const response of client().streamTokens(request("paced-50"))) {
      responses.push(response);
      if (response.event.case === "delta" && !stop) stop = await client().stopStream({ streamId: streamIdOf(responses) });
    }
    expect(stop).toMatchObject({ stopped: true });
    const finished = responses.at(-1)!.event;
    expect(finished.case === "finished" && finished.value.finishReason).toBe(FinishReason.STOPPED);
    expect(everyText.startsWith(deltaTextOf(responses))).toBe(true);
    expect(await (await arrived).ended).toBe("client-closed");
    expect(await client().stopStream({ streamId: streamIdOf(responses) })).toMatchObject({ stopped: false });
  });

  it("should close the upstream request once no reader has come back within the grace period", async () => {
    const arrived = server.current.upstream.nextRequest();
    await readAll((signal) => client().streamTokens(request("paced-50"), { signal }), (r) => r.event.case === "delta");
    expect(await (await arrived).ended).toBe("client-closed");
  });

  it("should refuse an unknown stream with not_found and a sequence beyond the end with out_of_range", async () => {
    await expect(readAll(() => client().resumeStream({ streamId: "no-such-stream", afterSequence: 0n }))).rejects.toSatisfy(isCode(Code.NotFound));
    await expect(client().stopStream({ streamId: "no-such-stream" })).rejects.toSatisfy(isCode(Code.NotFound));
    const whole = await readAll(() => client().streamTokens(request("gpt-test")));
    const streamId = streamIdOf(whole);
    expect(await readAll(() => client().resumeStream({ streamId, afterSequence: whole.at(-1)!.sequence }))).toEqual([]);
    await expect(readAll(() => client().resumeStream({ streamId, afterSequence: 1000n }))).rejects.toSatisfy(isCode(Code.OutOfRange));
  });

  it("should keep a caller's stream from every other caller", async () => {
    const owned = { headers: { "x-caller": "alice" } };
    const whole = await readAll(() => client().streamTokens(request("gpt-test"), owned));
    const streamId = streamIdOf(whole);
    expect(deltaTextOf(await readAll(() => client().resumeStream({ streamId, afterSequence: 0n }, owned)))).toBe(everyText);
    const other = { headers: { "x-caller": "mallory" } };
    await expect(readAll(() => client().resumeStream({ streamId, afterSequence: 0n }, other))).rejects.toSatisfy(isCode(Code.NotFound));
    await expect(client().stopStream({ streamId }, other)).rejects.toSatisfy(isCode(Code.NotFound));
  });
});
