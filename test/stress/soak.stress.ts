import { describe, expect, it } from "vitest";
import { createClient } from "@connectrpc/connect";
import { TokenService } from "../../gen/tokenwire/v1/token_service_pb.js";
import { defaultTokens } from "../fixtures/fake-openai.ts";
import { streamOutcome } from "../support/stream-text.ts";
import { transportsTo, useTokenwireServer } from "../support/tokenwire-test-server.ts";
import { ask } from "../support/ask.ts";

const test = useTokenwireServer();

// A fixed sequence, so that a failure replays the same cancels.
function random(seed: number): () => number {
  let state = seed;
  return () => ((state = (state * 1103515245 + 12345) % 2 ** 31) / 2 ** 31);
}

describe("a soak of 1,000 streams, 50 at a time, a third of them canceled at a random point", () => {
  it("should complete the others whole, close every canceled stream's upstream request, and leave nothing open", async () => {
    const next = random(10);
    const transports = transportsTo(() => test.current.baseUrl);
    const clients = transports.map(([, transport]) => createClient(TokenService, transport()));
    const outcomes: { canceled: boolean; text: string; code: unknown }[] = [];
    for (let round = 0; round < 20; round++) {
      const calls = Array.from({ length: 50 }, async (_, i) => {
        const canceled = next() < 1 / 3;
        const controller = new AbortController();
        if (canceled) setTimeout(() => controller.abort(), next() * 200);
        const outcome = await streamOutcome(clients[i % clients.length]!.streamTokens(ask("paced-20"), { signal: controller.signal }));
        return { canceled, ...outcome };
      });
      outcomes.push(...(await Promise.all(calls)));
    }
    expect(outcomes.filter((o) => !o.canceled && (o.text !== defaultTokens.join("") || o.code !== undefined))).toEqual([]);
    expect(outcomes.filter((o) => o.canceled && !defaultTokens.join("").startsWith(o.text))).toEqual([]);
    await test.current.settled();
    const ends = await Promise.all(test.current.upstream.requests.map((request) => request.ended));
    expect(ends.filter((end) => end !== "completed" && end !== "client-closed")).toEqual([]);
    expect(ends.filter((end) => end === "client-closed").length).toBeGreaterThan(0);
  });
});
