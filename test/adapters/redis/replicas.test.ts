import { afterAll, beforeAll, describe, expect, it, vi } from "vitest";
import { Code, createClient, type Client } from "@connectrpc/connect";
import { createConnectTransport, createGrpcTransport } from "@connectrpc/connect-node";
import { FinishReason, TokenService, type StreamTokensResponse } from "../../../gen/tokenwire/v1/token_service_pb.js";
import { errors } from "../../../src/index.ts";
import { defaultTokens, startFakeOpenAI, type FakeOpenAI } from "../../fixtures/fake-openai.ts";
import { startRedisServer, type RedisServer } from "../../fixtures/redis-server.ts";
import { startTokenwireProcess, type TokenwireProcess } from "../../fixtures/tokenwire-process.ts";
import { deltaTextOf } from "../../support/stream-text.ts";
import { drain, streamIdOf, untilDeltas, type Drained } from "../../support/read-stream.ts";
import { skipWithout } from "../../support/test-tiers.ts";

// Two `npm start` processes sharing one redis-server, as two replicas behind a load balancer.
let redis: RedisServer;
let upstream: FakeOpenAI;
const replicas: TokenwireProcess[] = [];
const startReplica = async () => {
  const replica = await startTokenwireProcess({
    upstreamUrl: upstream.url,
    models: ["gpt-test", "paced-20", "paced-50", "paced-500"],
    env: { REDIS_URL: redis.url, TOKENWIRE_RESUME_GRACE_MS: "1000" },
  });
  replicas.push(replica);
  return replica;
};
let a: TokenwireProcess;
let b: TokenwireProcess;
beforeAll(async () => {
  [redis, upstream] = await Promise.all([startRedisServer(), startFakeOpenAI()]);
  [a, b] = await Promise.all([startReplica(), startReplica()]);
}, 60_000);
afterAll(async () => {
  await Promise.all(replicas.map((replica) => replica.stop()));
  await Promise.all([upstream?.close(), redis?.stop()]);
});

// A over Connect, B over gRPC: a stream resumes across protocols as it does across replicas.
const clientOf = (replica: TokenwireProcess): Client<typeof TokenService> =>
  createClient(TokenService, replica === a ? createConnectTransport({ baseUrl: replica.url, httpVersion: "1.1" }) : createGrpcTransport({ baseUrl: replica.url }));
const request = (model: string) => ({ generation: { input: { case: "prompt" as const, value: "hi" }, model }, resumable: true });
const everyText = defaultTokens.join("");

describe.skipIf(skipWithout("redis"))("createRedisStreamLog() behind two server processes", () => {
  it("should resume on B exactly where a client dropped on A, with no sequence twice", async () => {
    const first = await drain((signal) => clientOf(a).streamTokens(request("paced-20"), { signal }), untilDeltas(3));
    const streamId = streamIdOf(first.responses);
    const last = first.responses.at(-1)!.sequence;
    const rest = await drain((signal) => clientOf(b).resumeStream({ streamId, afterSequence: last }, { signal }));
    expect(rest.error).toBeUndefined();
    const all = [...first.responses, ...rest.responses];
    expect(deltaTextOf(all)).toBe(everyText);
    expect(new Set(all.map((r) => r.sequence)).size).toBe(all.length);
    expect(rest.responses[0]!.sequence).toBeGreaterThan(last);
    expect(rest.responses.at(-1)?.event.case).toBe("finished");
  });

  it("should let a client on B join a stream mid-way and read it whole", async () => {
    let joining: Promise<Drained<StreamTokensResponse>> | undefined;
    const onA = await drain(
      (signal) => clientOf(a).streamTokens(request("paced-50"), { signal }),
      (response, responses) => {
        const streamId = streamIdOf(responses);
        if (untilDeltas(2)(response, responses)) joining ??= drain((signal) => clientOf(b).resumeStream({ streamId, afterSequence: 0n }, { signal }));
        return false;
      },
    );
    expect(deltaTextOf(onA.responses)).toBe(everyText);
    const joined = await joining!;
    expect(joined.error).toBeUndefined();
    expect(deltaTextOf(joined.responses)).toBe(everyText);
  });

  it("should stop on B a generation that runs on A: A's upstream request closes and its stream ends stopped", async () => {
    const arrived = upstream.nextRequest();
    let stopped: boolean | undefined;
    const onA = await drain(
      (signal) => clientOf(a).streamTokens(request("paced-50"), { signal }),
      (response, responses) => {
        if (untilDeltas(1)(response, responses) && stopped === undefined) {
          stopped = false;
          void clientOf(b).stopStream({ streamId: streamIdOf(responses) }).then((r) => (stopped = r.stopped));
        }
        return false;
      },
    );
    expect(onA.error).toBeUndefined();
    const finished = onA.responses.at(-1)!.event;
    expect(finished.case === "finished" && finished.value.finishReason).toBe(FinishReason.STOPPED);
    expect(everyText.startsWith(deltaTextOf(onA.responses))).toBe(true);
    expect(await (await arrived).ended).toBe("client-closed");
    await vi.waitFor(() => expect(stopped).toBe(true));
    expect(await clientOf(b).stopStream({ streamId: streamIdOf(onA.responses) })).toMatchObject({ stopped: false });
  });

  it("should close the upstream request once no client has come back within the grace period", async () => {
    const arrived = upstream.nextRequest();
    // Five seconds of tokens, against a grace period of one.
    await drain((signal) => clientOf(a).streamTokens(request("paced-500"), { signal }), untilDeltas(1));
    expect(await (await arrived).ended).toBe("client-closed");
  });

  it("should end B's readers with unavailable when A is killed mid-stream, and keep the text so far readable", async () => {
    const doomed = await startReplica();
    const first = await drain((signal) => clientOf(doomed).streamTokens(request("paced-50"), { signal }), untilDeltas(2));
    const streamId = streamIdOf(first.responses);
    const following = drain((signal) => clientOf(b).resumeStream({ streamId, afterSequence: 0n }, { signal }));
    doomed.child.kill("SIGKILL");
    const onB = await following;
    expect(onB.error?.code).toBe(Code.Unavailable);
    expect(onB.error?.rawMessage).toBe(errors.producerGone().message);
    expect(everyText.startsWith(deltaTextOf(onB.responses))).toBe(true);
    const later = await drain((signal) => clientOf(b).resumeStream({ streamId, afterSequence: 0n }, { signal }));
    expect(deltaTextOf(later.responses)).toBe(deltaTextOf(onB.responses));
    expect(later.error?.code).toBe(Code.Unavailable);
  });

  // Last: it takes the shared Redis away.
  it("should end live streams with unavailable when Redis goes away, refuse new ones, and serve again once it is back", async () => {
    const first = await drain((signal) => clientOf(a).streamTokens(request("paced-50"), { signal }), untilDeltas(1));
    const streamId = streamIdOf(first.responses);
    const onA = drain((signal) => clientOf(a).resumeStream({ streamId, afterSequence: 0n }, { signal }));
    const onB = drain((signal) => clientOf(b).resumeStream({ streamId, afterSequence: 0n }, { signal }));
    await redis.kill();
    expect((await onA).error?.code).toBe(Code.Unavailable);
    expect((await onB).error?.code).toBe(Code.Unavailable);
    const refused = await drain((signal) => clientOf(a).streamTokens(request("gpt-test"), { signal }));
    expect(refused.error?.code).toBe(Code.Unavailable);
    await redis.restart();
    const again = await vi.waitFor(
      async () => {
        const read = await drain((signal) => clientOf(a).streamTokens(request("gpt-test"), { signal }));
        expect(read.error).toBeUndefined();
        return read;
      },
      { timeout: 10_000, interval: 200 },
    );
    expect(deltaTextOf(again.responses)).toBe(everyText);
    const resumed = await drain((signal) => clientOf(b).resumeStream({ streamId: streamIdOf(again.responses), afterSequence: 0n }, { signal }));
    expect(deltaTextOf(resumed.responses)).toBe(everyText);
  });

  it("should not start, and say why in one line, when REDIS_URL names a Redis that cannot be reached", async () => {
    const down = await startRedisServer();
    await down.stop();
    const started = startTokenwireProcess({ env: { REDIS_URL: down.url } });
    await expect(started).rejects.toThrow(`exited (1) before listening:\ntokenwire: cannot start: REDIS_URL=${down.url} cannot be reached`);
  });
});
