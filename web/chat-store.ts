import type { JsonValue } from "@bufbuild/protobuf";
import type { AnswerState } from "./answer-view.ts";
import { attempt } from "./attempt.ts";

/** An answer's figures as the page measured them while it streamed. */
export interface Figures {
  firstTokenMs?: number;
  tokensPerSecond?: number;
}

/** One question and its answer as stored: enough to paint it again. */
export interface StoredExchange {
  question: string;
  /** The answer's events, merged as a {@link Transcript} keeps them. */
  events: JsonValue[];
  state: AnswerState;
  /** How an answer that ended in an error failed: its Connect code and message. */
  error?: { code: number; message: string };
  figures: Figures;
}

/** The answer still streaming: its resumable stream's id, once known, and the last sequence the page has. */
export interface LiveStream {
  /** Which exchange it answers. */
  exchange: number;
  streamId?: string;
  /** A uint64 in decimal, as JSON cannot hold it as a number. */
  afterSequence?: string;
}

/** A conversation as stored. */
export interface StoredConversation {
  exchanges: StoredExchange[];
  live?: LiveStream;
}

const currentKey = "tokenwire.chat";
const keyOf = (id: string) => `${currentKey}.${id}`;

/**
 * Keeps the tab's conversation in sessionStorage, under an id of its own, so
 * that it survives a reload and no other tab sees it. Storage can be missing,
 * full or refused (a sandboxed frame, a private window): the page then works
 * as before and forgets the conversation on reload.
 */
export class ChatStore {
  private id: string;
  private frozen = false;

  constructor() {
    this.id = attempt(() => sessionStorage.getItem(currentKey)) ?? newId();
  }

  load(): StoredConversation | undefined {
    const text = attempt(() => sessionStorage.getItem(keyOf(this.id)));
    try {
      const stored = text ? (JSON.parse(text) as StoredConversation) : undefined;
      return Array.isArray(stored?.exchanges) ? stored : undefined;
    } catch {
      return undefined;
    }
  }

  save(conversation: StoredConversation): void {
    if (this.frozen) return;
    attempt(() => {
      sessionStorage.setItem(keyOf(this.id), JSON.stringify(conversation));
      sessionStorage.setItem(currentKey, this.id);
    });
  }

  /** Forgets this conversation and starts a new one, under a new id. */
  startOver(): void {
    attempt(() => sessionStorage.removeItem(keyOf(this.id)));
    this.id = newId();
  }

  /**
   * Takes no more writes until {@link thaw}: while the page unloads, its
   * calls fail as the browser cuts them, and that is not how they ended.
   */
  freeze(): void {
    this.frozen = true;
  }

  thaw(): void {
    this.frozen = false;
  }
}

// Ids only tell this tab's conversations apart; crypto.randomUUID is missing outside secure contexts.
function newId(): string {
  return `${Date.now().toString(36)}-${Math.random().toString(36).slice(2, 10)}`;
}
