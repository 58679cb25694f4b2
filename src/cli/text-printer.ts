import { FinishReason, type StreamTokensResponse } from "../../gen/tokenwire/v1/token_service_pb.js";
import type { CliOutput } from "./cli-output.ts";

/** Which of the two streams left the terminal's current line unfinished, if one did. */
type OpenLine = "none" | "answer" | "reasoning";

/**
 * Prints a `tokenwire.v1` stream as text: the answer's text on stdout, as it
 * comes; reasoning, tool calls (`→ name(args)`) and tool results (`← content`)
 * on stderr, dimmed on a terminal. stdout then holds the answer and nothing
 * else, so a pipe or a file gets exactly the text. The line breaks that keep
 * the two apart on a terminal go to stderr for the same reason.
 */
export class TextPrinter {
  private readonly output: CliOutput;
  private open: OpenLine = "none";

  constructor(output: CliOutput) {
    this.output = output;
  }

  print({ event }: StreamTokensResponse): void {
    switch (event.case) {
      case "delta":
        return this.answer(event.value.text);
      case "reasoning":
        return this.reasoning(event.value.text);
      case "toolCall":
        return this.aside(`→ ${event.value.name}(${event.value.argsJson})`);
      case "toolResult":
        return this.aside(`← ${event.value.isError ? "error: " : ""}${event.value.content}`);
      case "finished":
        if (this.open === "reasoning") this.output.stderr("\n");
        this.output.stdout("\n");
        this.open = "none";
        if (event.value.finishReason === FinishReason.STOPPED) this.aside("(stopped)");
        return;
      // started needs no text; a tool call's pieces are shown once the call is whole
    }
  }

  /** Ends a line a cut-off stream left open, so that what follows starts on a line of its own. */
  cut(): void {
    if (this.open === "answer") this.output.stdout("\n");
    if (this.open === "reasoning") this.output.stderr("\n");
    this.open = "none";
  }

  private answer(text: string): void {
    if (!text) return;
    if (this.open === "reasoning") this.output.stderr("\n");
    this.output.stdout(text);
    this.open = text.endsWith("\n") ? "none" : "answer";
  }

  private reasoning(text: string): void {
    if (!text) return;
    if (this.open === "answer") this.output.stderr("\n");
    this.output.stderr(this.output.dim(text));
    this.open = text.endsWith("\n") ? "none" : "reasoning";
  }

  private aside(line: string): void {
    if (this.open !== "none") this.output.stderr("\n");
    this.output.stderr(`${this.output.dim(line)}\n`);
    this.open = "none";
  }
}
