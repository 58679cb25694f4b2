import { describe, expect, it } from "vitest";
import { Code, ConnectError, createClient } from "@connectrpc/connect";
import { createGrpcTransport } from "@connectrpc/connect-node";
import { Health } from "../../gen/health/v1/health_pb.js";
import { useTokenwireServer } from "../support/tokenwire-test-server.ts";

const test = useTokenwireServer();

// Opens a Watch and reads its first status, leaving it open; or the code that refused it.
async function watch(client: ReturnType<typeof createClient<typeof Health>>, signal: AbortSignal): Promise<Code | "watching"> {
  try {
    await client.watch({ service: "" }, { signal })[Symbol.asyncIterator]().next();
    return "watching";
  } catch (reason) {
    return ConnectError.from(reason).code;
  }
}

describe("a flood of 2,000 health Watch calls", () => {
  it("should hold the first 1,024 (the default limit), refuse the rest with resource_exhausted, and take new ones once they end", async () => {
    const client = createClient(Health, createGrpcTransport({ baseUrl: test.current.baseUrl }));
    const controller = new AbortController();
    const seen: (Code | "watching")[] = [];
    for (let i = 0; i < 2000; i++) seen.push(await watch(client, controller.signal));
    expect(seen.filter((s) => s === "watching").length).toBe(1024);
    expect(seen.slice(1024).every((s) => s === Code.ResourceExhausted)).toBe(true);
    controller.abort();
    const again = new AbortController();
    await expect.poll(() => watch(client, again.signal), { timeout: 10_000 }).toBe("watching");
    again.abort();
  });
});
