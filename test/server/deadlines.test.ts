import { describe, expect, it } from "vitest";
import { Code, createClient } from "@connectrpc/connect";
import { TokenService } from "../../gen/tokenwire/v1/token_service_pb.js";
import { defaultTokens } from "../fixtures/fake-openai.ts";
import { streamOutcome } from "../support/stream-text.ts";
import { transportsTo, useTokenwireServer } from "../support/tokenwire-test-server.ts";
import { failureOf } from "../support/read-stream.ts";
import { useProcessWarnings } from "../support/process-warnings.ts";
import { ask } from "../support/ask.ts";

const test = useTokenwireServer();
const protocolOf = (name: string) => (name.startsWith("Connect") ? "connect" : name === "gRPC" ? "grpc" : "grpc-web");

// Each protocol's deadline header, sent as is: the client keeps no timer of its own, so the status seen is the server's.
const deadlineHeader = (protocol: string, ms: number): Record<string, string> => (protocol === "connect" ? { "connect-timeout-ms": String(ms) } : { "grpc-timeout": `${ms}m` });

const warningNames = useProcessWarnings();

describe.each(transportsTo(() => test.current.baseUrl))("deadlines over %s", (name, transport) => {
  const protocol = protocolOf(name);

  it("should end 20 of 20 streams whose deadline passed with deadline_exceeded, in the status and in the log", async () => {
    const client = createClient(TokenService, transport());
    const before = test.current.logs().length;
    const calls = Array.from({ length: 20 }, () => streamOutcome(client.streamTokens(ask("stall-after-3"), { headers: deadlineHeader(protocol, 200) })));
    expect((await Promise.all(calls)).map(({ code }) => code)).toEqual(Array(20).fill(Code.DeadlineExceeded));
    await test.current.settled();
    const logged = test.current.logs().slice(before).filter((line) => line.model === "stall-after-3");
    expect(logged.map((line) => [line.protocol, line.status])).toEqual(Array(20).fill([protocol, "deadline_exceeded"]));
  });

  it.for([
    // Connect's header holds 10 digits: 115 days at most.
    ["one year (gRPC, as grpc-go sends it) or the longest Connect can say", { "grpc-timeout": "31536000S" }, { "connect-timeout-ms": "9999999999" }],
    ["the longest gRPC can say, or 2^32 ms (past what AbortSignal.timeout takes)", { "grpc-timeout": "99999999H" }, { "connect-timeout-ms": String(2 ** 32) }],
    ["just past what a timer holds", { "grpc-timeout": "2147484S" }, { "connect-timeout-ms": String(2 ** 31) }],
    ["just within what a timer holds", { "grpc-timeout": "2147483S" }, { "connect-timeout-ms": String(2 ** 31 - 1) }],
  ] as const)("should stream normally with a deadline of %s", async ([, grpc, connect]) => {
    const headers = protocol === "connect" ? connect : grpc;
    const client = createClient(TokenService, transport());
    expect(await streamOutcome(client.streamTokens(ask("gpt-test"), { headers }))).toEqual({ text: defaultTokens.join(""), code: undefined });
    expect(warningNames()).not.toContain("TimeoutOverflowWarning");
  });
});

describe("deadlines and cancellation", () => {
  it("should still end a stream its client cancels with canceled in the log", async () => {
    const [, transport] = transportsTo(() => test.current.baseUrl)[2]!;
    const client = createClient(TokenService, transport());
    const before = test.current.logs().length;
    const controller = new AbortController();
    const stream = client.streamTokens(ask("paced-50"), { signal: controller.signal, headers: { "grpc-timeout": "10S" } });
    const { code } = await failureOf(stream, () => controller.abort());
    expect(code).toBe(Code.Canceled);
    await test.current.settled();
    expect(test.current.logs().slice(before).map((line) => line.status)).toEqual(["canceled"]);
  });
});
