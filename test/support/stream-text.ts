import { ConnectError, type Code } from "@connectrpc/connect";

/** What a `StreamTokens` call carried: its deltas' text, and the code it ended with (undefined for a clean end). */
export interface StreamOutcome {
  text: string;
  code: Code | undefined;
}

/** Reads a `StreamTokens` call to its end and keeps its text and its code, without rethrowing. */
export async function streamOutcome(stream: AsyncIterable<{ event: { case?: string; value?: unknown } }>): Promise<StreamOutcome> {
  let text = "";
  try {
    for await (const { event } of stream) if (event.case === "delta") text += (event.value as { text: string }).text;
  } catch (reason) {
    return { text, code: ConnectError.from(reason).code };
  }
  return { text, code: undefined };
}
