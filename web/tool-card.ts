import { h } from "./dom.ts";

/**
 * One tool call as a compact card: the tool's name and its arguments on one
 * line, the arguments in full and the tool's result when unfolded.
 */
export class ToolCard {
  id: string;
  private args = "";
  private readonly name = h("span", { class: "tool-name" });
  private readonly preview = h("code", { class: "tool-preview" });
  private readonly status = h("span", { class: "tool-status", text: "calling…" });
  private readonly argsView = h("pre", { class: "tool-args" });
  readonly element = h(
    "details",
    { class: "tool-card", attrs: { "data-status": "calling" } },
    h("summary", {}, h("span", { class: "tool-icon", attrs: { "aria-hidden": "true" } }), this.name, this.preview, this.status),
    this.argsView,
  );

  constructor(fields: { id: string; name: string }) {
    this.id = fields.id;
    this.name.textContent = fields.name || "tool";
  }

  /** A piece of the arguments' JSON as the model streams it. */
  appendArgs(piece: string): void {
    this.showArgs(this.args + piece);
  }

  /** The finished call: from now on the card waits for a result, if a graph runs the tool. */
  called(call: { id: string; name: string; argsJson: string }): void {
    this.id = call.id || this.id;
    if (call.name) this.name.textContent = call.name;
    this.showArgs(call.argsJson || this.args);
    this.setStatus("called", "called");
  }

  result(result: { name: string; content: string; isError: boolean }): void {
    if (!this.name.textContent || this.name.textContent === "tool") this.name.textContent = result.name;
    const label = result.isError ? "Error" : "Result";
    this.element.append(h("div", { class: "tool-result" }, h("div", { class: "tool-label", text: label }), h("pre", { text: result.content })));
    this.setStatus(result.isError ? "error" : "done", result.isError ? "failed" : "done");
  }

  /** A stream that ended leaves no call "calling". */
  end(): void {
    if (this.element.dataset.status === "calling") this.setStatus("called", "called");
  }

  private showArgs(args: string): void {
    this.args = args;
    this.preview.textContent = args;
    this.argsView.textContent = pretty(args);
  }

  private setStatus(status: string, text: string): void {
    this.element.dataset.status = status;
    this.status.textContent = text;
  }
}

// Arguments still streaming are not JSON yet: shown as they came.
function pretty(json: string): string {
  try {
    return JSON.stringify(JSON.parse(json), null, 2);
  } catch {
    return json;
  }
}
