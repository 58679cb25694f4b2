import type { ConnectError } from "@connectrpc/connect";
import { codeToString } from "@connectrpc/connect/protocol-connect";
import { FinishReason, type Finished, type StreamTokensResponse, type ToolCallDelta, type Origin } from "../gen/tokenwire/v1/token_service_pb.js";
import { h } from "./dom.ts";
import { MarkdownView } from "./markdown-view.ts";
import { ThinkingBlock } from "./thinking-block.ts";
import { ToolCard } from "./tool-card.ts";
import { StreamStats } from "./stream-stats.ts";
import type { Figures } from "./chat-store.ts";

/** How an answer ended; `streaming` while it has not. */
export type AnswerState = "streaming" | "done" | "stopped" | "error";

/** A run of answer text between reasoning and tool calls, shown as markdown. */
interface TextSegment {
  view: MarkdownView;
  source: string;
}

type Segment = TextSegment | ThinkingBlock | ToolCard;

const finishNotes: Partial<Record<FinishReason, string>> = {
  [FinishReason.LENGTH]: "cut at max tokens",
  [FinishReason.CONTENT_FILTER]: "withheld by the content filter",
  [FinishReason.TOOL_CALLS]: "ended on a tool call",
  [FinishReason.STOPPED]: "stopped",
};

/**
 * One answer of the conversation: its reasoning, text and tool calls in the
 * order they streamed, its figures, and its Copy and Regenerate buttons.
 * Markdown is rendered at most once an animation frame, however fast tokens come.
 */
export class AnswerView {
  /** The answer's text so far, as the model wrote it: what the history sends back and Copy copies. */
  text = "";
  private readonly body = h("div", { class: "answer-body" });
  private readonly meta = {
    model: h("span", { class: "model" }),
    ttft: h("span", { class: "ttft" }),
    rate: h("span", { class: "rate" }),
    usage: h("span", { class: "usage" }),
    note: h("span", { class: "note" }),
  };
  readonly copyButton = h("button", { class: "copy", text: "Copy", attrs: { type: "button" } });
  readonly regenerateButton = h("button", { class: "regenerate", text: "Regenerate", attrs: { type: "button" } });
  readonly element = h(
    "article",
    { class: "answer", attrs: { "data-state": "streaming", "aria-busy": "true" } },
    this.body,
    h("footer", { class: "answer-foot" }, h("div", { class: "answer-meta" }, ...Object.values(this.meta)), h("div", { class: "answer-actions" }, this.copyButton, this.regenerateButton)),
  );
  private current: Segment | undefined;
  private readonly cards: ToolCard[] = [];
  private readonly streamingCards = new Map<string, ToolCard>();
  private readonly dirty = new Set<TextSegment>();
  private finished: Finished | undefined;
  private frame: number | undefined;
  private awaitingSelection = false;
  private replaying = false;

  /** Created as the question is sent: the time to the first token counts from here. */
  private readonly stats: StreamStats;
  private readonly onRender: () => void;

  /**
   * `onRender` runs after each painted frame, for the view to follow the
   * stream; `earlier`, the figures of an answer painted again after a reload.
   */
  constructor(onRender: () => void, earlier?: Figures) {
    this.onRender = onRender;
    this.stats = new StreamStats(earlier);
  }

  /** The figures measured so far, to be kept across a reload. */
  get figures(): Figures {
    return { firstTokenMs: this.stats.firstTokenMs, tokensPerSecond: this.stats.tokensPerSecond };
  }

  /** The finish reason, once the finished event has come. */
  get finishReason(): FinishReason | undefined {
    return this.finished?.finishReason;
  }

  apply(response: StreamTokensResponse): void {
    this.stats.record(response);
    this.paint(response);
  }

  /** Paints events that streamed before a reload again, leaving the figures as they were measured then. */
  replay(responses: readonly StreamTokensResponse[]): void {
    this.replaying = true;
    for (const response of responses) this.paint(response);
    this.replaying = false;
  }

  private paint(response: StreamTokensResponse): void {
    const { event } = response;
    switch (event.case) {
      case "started":
        this.meta.model.textContent = event.value.model;
        break;
      case "delta":
        this.appendText(event.value.text);
        break;
      case "reasoning":
        this.thinking().append(event.value.text);
        break;
      case "toolCallDelta":
        this.toolCallDelta(event.value, response.origin);
        break;
      case "toolCall":
        this.cardFor(event.value.id, event.value.name).called(event.value);
        break;
      case "toolResult":
        this.cardFor(event.value.toolCallId, event.value.name).result(event.value);
        break;
      case "finished":
        this.finished = event.value;
        break;
    }
    this.schedule();
  }

  /** Ends the answer: paints what is left at once and shows how it ended. */
  end(state: Exclude<AnswerState, "streaming">, error?: ConnectError): void {
    if (this.frame !== undefined) cancelAnimationFrame(this.frame);
    this.frame = undefined;
    this.endSegment();
    for (const card of this.cards) card.end();
    if (error) this.body.append(errorBox(error));
    if (state === "stopped") this.meta.note.textContent = "stopped";
    this.copyButton.hidden = !this.text;
    this.element.dataset.state = state;
    this.element.removeAttribute("aria-busy");
    this.render();
  }

  private render(): void {
    this.frame = undefined;
    for (const segment of this.dirty) if (segment.view.render(segment.source)) this.dirty.delete(segment);
    // A block held back for the reader's selection is painted once the selection changes.
    if (this.dirty.size > 0 && !this.awaitingSelection) {
      this.awaitingSelection = true;
      const repaint = () => {
        this.awaitingSelection = false;
        this.schedule();
      };
      document.addEventListener("selectionchange", repaint, { once: true });
    }
    this.showFigures();
    this.onRender();
  }

  private schedule(): void {
    this.frame ??= requestAnimationFrame(() => this.render());
  }

  private showFigures(): void {
    const { firstTokenMs, tokensPerSecond } = this.stats;
    if (firstTokenMs !== undefined) this.meta.ttft.textContent = `first token ${Math.round(firstTokenMs)} ms`;
    if (tokensPerSecond !== undefined) this.meta.rate.textContent = `${tokensPerSecond.toFixed(1)} tokens/s`;
    if (!this.finished) return;
    const usage = this.finished.usage;
    if (usage) this.meta.usage.textContent = `${usage.inputTokens} in · ${usage.outputTokens} out · ${usage.totalTokens} tokens`;
    this.meta.note.textContent = finishNotes[this.finished.finishReason] ?? "";
  }

  private appendText(text: string): void {
    this.text += text;
    const segment = this.current && "source" in this.current ? this.current : this.begin({ view: new MarkdownView(), source: "" });
    segment.source += text;
    this.dirty.add(segment);
  }

  private thinking(): ThinkingBlock {
    return this.current instanceof ThinkingBlock ? this.current : this.begin(new ThinkingBlock(!this.replaying));
  }

  private toolCallDelta(piece: ToolCallDelta, origin: Origin | undefined): void {
    // `index` tells apart the calls of one model turn; the next turn, with its own run id, counts from 0 again.
    const key = `${origin?.runId ?? ""}#${piece.index}`;
    let card = this.streamingCards.get(key);
    if (!card) this.streamingCards.set(key, (card = this.newCard(piece.id, piece.name)));
    card.id ||= piece.id;
    card.appendArgs(piece.args);
  }

  private cardFor(id: string, name: string): ToolCard {
    return this.cards.find((card) => id && card.id === id) ?? this.newCard(id, name);
  }

  private newCard(id: string, name: string): ToolCard {
    const card = this.begin(new ToolCard({ id, name }));
    this.cards.push(card);
    return card;
  }

  private begin<T extends Segment>(segment: T): T {
    this.endSegment();
    this.current = segment;
    this.body.append("view" in segment ? segment.view.element : segment.element);
    return segment;
  }

  private endSegment(): void {
    if (this.current instanceof ThinkingBlock) this.current.end();
  }
}

/** An error where the answer would have been: its Connect code, then its message. */
function errorBox(error: ConnectError): HTMLElement {
  return h(
    "div",
    { class: "error", attrs: { role: "alert" } },
    h("span", { class: "error-code", text: codeToString(error.code) }),
    h("span", { class: "error-message", text: error.rawMessage }),
  );
}
