import { Code, ConnectError } from "@connectrpc/connect";
import type { TokenClient } from "./chat-client.ts";
import { AnswerView } from "./answer-view.ts";
import { copyWithFeedback } from "./clipboard.ts";
import { conversationMessages } from "./conversation.ts";
import { h } from "./dom.ts";
import type { FollowScroll } from "./follow-scroll.ts";

/** What a request takes from the page's settings at the moment it is sent. */
export interface RequestSettings {
  client: TokenClient;
  /** Empty for the server's default. */
  model: string;
  temperature?: number;
  maxTokens?: number;
  system: string;
}

/** Options of {@link Chat}. */
export interface ChatOptions {
  /** Where the questions and answers stack up. */
  log: HTMLElement;
  follow: FollowScroll;
  settings: () => RequestSettings;
  /** Told when an answer starts and stops streaming. */
  onBusy: (busy: boolean) => void;
}

interface Exchange {
  question: string;
  answer: AnswerView;
}

/** The conversation: asks with the whole history, one answer streaming at a time. */
export class Chat {
  private exchanges: Exchange[] = [];
  private controller: AbortController | undefined;
  private readonly options: ChatOptions;

  constructor(options: ChatOptions) {
    this.options = options;
  }

  get busy(): boolean {
    return this.controller !== undefined;
  }

  /** Asks a question; false while an answer is streaming or when the question is blank. */
  send(question: string): boolean {
    if (this.busy || !question.trim()) return false;
    const exchange = { question, answer: this.newAnswer() };
    this.exchanges.push(exchange);
    this.options.log.append(h("div", { class: "question", text: question }), exchange.answer.element);
    void this.run(exchange);
    return true;
  }

  /** Asks the last question again, in place of its answer. */
  regenerate(): void {
    const last = this.exchanges.at(-1);
    if (this.busy || !last) return;
    const fresh = this.newAnswer();
    last.answer.element.replaceWith(fresh.element);
    last.answer = fresh;
    void this.run(last);
  }

  /** Aborts the call: the server sees the request close and cancels the model's upstream request. */
  stop(): void {
    this.controller?.abort();
  }

  /** Starts a new chat, stopping an answer still streaming. */
  clear(): void {
    this.stop();
    this.controller = undefined;
    this.options.onBusy(false);
    this.exchanges = [];
    this.options.log.replaceChildren();
  }

  private newAnswer(): AnswerView {
    const answer = new AnswerView(() => this.options.follow.follow());
    answer.copyButton.addEventListener("click", () => void copyWithFeedback(answer.copyButton, answer.text));
    answer.regenerateButton.addEventListener("click", () => this.regenerate());
    return answer;
  }

  private async run(exchange: Exchange): Promise<void> {
    const controller = (this.controller = new AbortController());
    this.options.onBusy(true);
    this.options.follow.resume();
    const { client, system, ...settings } = this.options.settings();
    // The exchange being answered has no answer yet, so its question ends the history.
    const turns = this.exchanges.map(({ question, answer }) => ({ question, answer: answer.text }));
    const generation = { ...settings, input: { case: "conversation" as const, value: { messages: conversationMessages(system, turns) } } };
    try {
      for await (const response of client.streamTokens({ generation }, { signal: controller.signal })) exchange.answer.apply(response);
      exchange.answer.end("done");
    } catch (reason) {
      const error = ConnectError.from(reason);
      if (controller.signal.aborted && error.code === Code.Canceled) exchange.answer.end("stopped");
      else exchange.answer.end("error", error);
    } finally {
      // A new chat may have started meanwhile, with its own call.
      if (this.controller === controller) {
        this.controller = undefined;
        this.options.onBusy(false);
      }
    }
  }
}
