import { Code, ConnectError } from "@connectrpc/connect";
import { FinishReason, type StreamTokensResponse } from "../gen/tokenwire/v1/token_service_pb.js";
import type { TokenClient } from "./chat-client.ts";
import { AnswerView, type AnswerState } from "./answer-view.ts";
import { ChatStore, type LiveStream, type StoredExchange } from "./chat-store.ts";
import { copyWithFeedback } from "./clipboard.ts";
import { conversationMessages } from "./conversation.ts";
import { h } from "./dom.ts";
import type { FollowScroll } from "./follow-scroll.ts";
import { Transcript } from "./transcript.ts";
import { unreachableError } from "./unreachable-error.ts";

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
  /** Told when the server refused a call before it started, for want of a good API key; the answer ends as that error. */
  onUnauthenticated: () => void;
}

interface Exchange {
  question: string;
  answer: AnswerView;
  transcript: Transcript;
  /** What is stored of it once it has ended; an answer that streams is stored afresh at each frame. */
  stored?: StoredExchange;
}

/** The call in flight: the answer it streams, the way to leave it, and what it takes to resume or stop it. */
interface Call {
  exchange: Exchange;
  client: TokenClient;
  controller: AbortController;
  streamId?: string;
  afterSequence?: bigint;
}

/**
 * The conversation: asks with the whole history, one answer streaming at a
 * time. Answers stream as resumable streams, and the conversation is kept in
 * sessionStorage with the answer in flight's stream id and last sequence, so
 * that a reload paints it again and resumes that answer where it was.
 */
export class Chat {
  private exchanges: Exchange[] = [];
  private call: Call | undefined;
  private readonly options: ChatOptions;
  private readonly store = new ChatStore();

  constructor(options: ChatOptions) {
    this.options = options;
  }

  get busy(): boolean {
    return this.call !== undefined;
  }

  /** Asks a question; false while an answer is streaming or when the question is blank. */
  send(question: string): boolean {
    if (this.busy || !question.trim()) return false;
    const exchange = this.newExchange(question);
    this.exchanges.push(exchange);
    this.options.log.append(h("div", { class: "question", text: question }), exchange.answer.element);
    this.generate(exchange);
    return true;
  }

  /** Asks the last question again, in place of its answer. */
  regenerate(): void {
    const last = this.exchanges.at(-1);
    if (this.busy || !last) return;
    const fresh = this.newExchange(last.question);
    last.answer.element.replaceWith(fresh.answer.element);
    this.exchanges[this.exchanges.length - 1] = fresh;
    this.generate(fresh);
  }

  /**
   * Stops the answer's generation (StopStream): the server closes the model's
   * request and the stream ends as stopped, its text kept. Before the stream
   * has an id, or when StopStream fails, the call is aborted instead.
   */
  stop(): void {
    const call = this.call;
    if (!call) return;
    if (!call.streamId) return call.controller.abort();
    call.client.stopStream({ streamId: call.streamId }, { timeoutMs: 5000 }).catch(() => call.controller.abort());
  }

  /** Starts a new chat. An answer still streaming is stopped, not left generating for nobody. */
  clear(): void {
    const call = this.call;
    if (call?.streamId) call.client.stopStream({ streamId: call.streamId }, { timeoutMs: 5000 }).catch(() => {});
    call?.controller.abort();
    this.call = undefined;
    this.options.onBusy(false);
    this.exchanges = [];
    this.options.log.replaceChildren();
    this.store.startOver();
  }

  /** Paints the conversation this tab had before a reload, and resumes the answer that was streaming. */
  restore(): void {
    const stored = this.store.load();
    stored?.exchanges.forEach((saved, i) => {
      const exchange = this.newExchange(saved.question, saved);
      this.exchanges.push(exchange);
      this.options.log.append(h("div", { class: "question", text: saved.question }), exchange.answer.element);
      exchange.answer.replay(exchange.transcript.responses);
      const live = stored.live?.exchange === i ? stored.live : undefined;
      if (saved.state !== "streaming") this.end(exchange, saved.state, saved.error && new ConnectError(saved.error.message, saved.error.code));
      else if (live?.streamId) this.resume(exchange, { ...live, streamId: live.streamId });
      // The stream had not said its id yet: there is nothing to resume it by.
      else this.end(exchange, "error", new ConnectError("the page was reloaded before this answer could be resumed: Regenerate asks again", Code.Canceled));
    });
  }

  /** Stores the conversation as it is now; called at each painted frame of an answer and as the page goes. */
  save(): void {
    const call = this.call;
    const live = call && { exchange: this.exchanges.indexOf(call.exchange), streamId: call.streamId, afterSequence: call.afterSequence?.toString() };
    this.store.save({ exchanges: this.exchanges.map((exchange) => exchange.stored ?? storedOf(exchange, "streaming")), live });
  }

  /** The page goes: stores where the answer in flight is, and nothing after, as the browser cuts the call. */
  leave(): void {
    this.save();
    this.store.freeze();
  }

  /** The page came back from the back-forward cache. */
  stay(): void {
    this.store.thaw();
  }

  private newExchange(question: string, saved?: StoredExchange): Exchange {
    const answer = new AnswerView(() => {
      this.options.follow.follow();
      this.save();
    }, saved?.figures);
    answer.copyButton.addEventListener("click", () => void copyWithFeedback(answer.copyButton, answer.text));
    answer.regenerateButton.addEventListener("click", () => this.regenerate());
    return { question, answer, transcript: saved ? Transcript.fromJson(saved.events) : new Transcript() };
  }

  private generate(exchange: Exchange): void {
    const { client, system, ...settings } = this.options.settings();
    // The exchange being answered has no answer yet, so its question ends the history.
    const turns = this.exchanges.map(({ question, answer }) => ({ question, answer: answer.text }));
    const generation = { ...settings, input: { case: "conversation" as const, value: { messages: conversationMessages(system, turns) } } };
    void this.stream({ exchange, client, controller: new AbortController() }, (signal) => client.streamTokens({ generation, resumable: true }, { signal }));
  }

  private resume(exchange: Exchange, live: LiveStream & { streamId: string }): void {
    const { client } = this.options.settings();
    const afterSequence = /^\d+$/.test(live.afterSequence ?? "") ? BigInt(live.afterSequence!) : 0n;
    const call = { exchange, client, controller: new AbortController(), streamId: live.streamId, afterSequence };
    void this.stream(call, (signal) => client.resumeStream({ streamId: live.streamId, afterSequence }, { signal }));
  }

  private async stream(call: Call, open: (signal: AbortSignal) => AsyncIterable<StreamTokensResponse>): Promise<void> {
    const { exchange, controller } = call;
    this.call = call;
    this.options.onBusy(true);
    this.options.follow.resume();
    let received = false;
    let refused = false;
    try {
      for await (const response of open(controller.signal)) {
        received = true;
        if (response.event.case === "started") call.streamId = response.event.value.streamId || undefined;
        call.afterSequence = response.sequence;
        exchange.transcript.add(response);
        exchange.answer.apply(response);
      }
      this.end(exchange, exchange.answer.finishReason === FinishReason.STOPPED ? "stopped" : "done");
    } catch (reason) {
      const error = ConnectError.from(reason);
      if (controller.signal.aborted && error.code === Code.Canceled) this.end(exchange, "stopped");
      else this.end(exchange, "error", unreachableError(error, received) ?? error);
      // Once a stream has started, `unauthenticated` is the model refusing the server's own credentials.
      refused = error.code === Code.Unauthenticated && !received;
    } finally {
      // A new chat may have started meanwhile, with its own call.
      if (this.call === call) {
        this.call = undefined;
        this.options.onBusy(false);
      }
      this.save();
    }
    if (refused) this.options.onUnauthenticated();
  }

  private end(exchange: Exchange, state: Exclude<AnswerState, "streaming">, error?: ConnectError): void {
    exchange.answer.end(state, error);
    exchange.stored = storedOf(exchange, state, error);
  }
}

function storedOf(exchange: Exchange, state: AnswerState, error?: ConnectError): StoredExchange {
  const { question, transcript, answer } = exchange;
  return { question, events: transcript.toJson(), state, error: error && { code: error.code, message: error.rawMessage }, figures: answer.figures };
}
