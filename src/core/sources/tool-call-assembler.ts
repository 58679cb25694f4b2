import type { Origin, TokenPart } from "../token-event.ts";

type ToolCallPart = Extract<TokenPart, { type: "tool_call" }>;

/**
 * Joins the streamed pieces of one model turn's tool calls, so the stream can
 * say "this call is complete" when the turn ends.
 * @internal
 */
export function createToolCallAssembler() {
  const calls = new Map<number, { id: string; name: string; args: string }>();
  return {
    add(part: Extract<TokenPart, { type: "tool_call_delta" }>): void {
      const call = calls.get(part.index) ?? { id: "", name: "", args: "" };
      call.id ||= part.id ?? "";
      call.name ||= part.name ?? "";
      call.args += part.text;
      calls.set(part.index, call);
    },
    /** The turn's complete calls, in index order; empties the assembler. */
    finish(origin: Origin | undefined): ToolCallPart[] {
      const done = [...calls.entries()].sort(([a], [b]) => a - b);
      calls.clear();
      return done.map(([, call]) => ({ type: "tool_call", id: call.id, name: call.name, argsJson: call.args || "{}", origin }));
    },
  };
}
