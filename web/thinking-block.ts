import { h } from "./dom.ts";

/**
 * The model's reasoning, dimmed and folded away under "Thinking". Its text
 * grows by appending to one text node, so a selection inside it survives.
 */
export class ThinkingBlock {
  private readonly text = document.createTextNode("");
  private readonly summary = h("summary", { text: "Thinking…" });
  readonly element = h("details", { class: "thinking", attrs: { "data-live": "" } }, this.summary, h("div", { class: "thinking-text" }, this.text));
  private readonly startedAt = performance.now();
  private lastAt = this.startedAt;
  private readonly timed: boolean;

  /** `timed` false for reasoning painted again after a reload, whose time was not measured here. */
  constructor(timed = true) {
    this.timed = timed;
  }

  append(text: string): void {
    this.text.appendData(text);
    this.lastAt = performance.now();
  }

  /** Called when the model moves on to its answer or a tool, or the stream ends. */
  end(): void {
    if (!this.element.hasAttribute("data-live")) return;
    this.element.removeAttribute("data-live");
    const seconds = (this.lastAt - this.startedAt) / 1000;
    if (!this.timed) this.summary.textContent = "Thoughts";
    else this.summary.textContent = seconds < 1 ? "Thought for under a second" : `Thought for ${Math.round(seconds)} s`;
  }
}
