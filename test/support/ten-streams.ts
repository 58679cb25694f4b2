import { ConnectError, type Client } from "@connectrpc/connect";
import type { TokenService } from "../../gen/tokenwire/v1/token_service_pb.js";

/** What ten streams of one caller started at once came to. */
export interface TenStreams {
  /** The output tokens the streams that were admitted delivered, as their usage says. */
  delivered: number;
  refused: ConnectError[];
}

/** Starts ten `Generate` calls of one caller at once, spread over the clients in turn, and reads each to its end. */
export async function tenStreamsAtOnce(clients: Client<typeof TokenService>[], headers: Record<string, string>): Promise<TenStreams> {
  const request = { generation: { input: { case: "prompt" as const, value: "hi" }, model: "gpt-test" } };
  const outcomes = await Promise.all(
    Array.from({ length: 10 }, (_, i) =>
      clients[i % clients.length]!.generate(request, { headers }).then(
        (answer) => ({ tokens: answer.usage?.outputTokens ?? 0 }),
        (error: unknown) => ({ error: ConnectError.from(error) }),
      ),
    ),
  );
  return {
    delivered: outcomes.reduce((sum, o) => sum + ("tokens" in o ? o.tokens : 0), 0),
    refused: outcomes.flatMap((o) => ("error" in o ? [o.error] : [])),
  };
}
