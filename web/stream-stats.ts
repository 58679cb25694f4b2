import type { StreamTokensResponse } from "../gen/tokenwire/v1/token_service_pb.js";
import type { Figures } from "./chat-store.ts";

const minSpanMs = 100;

/** Time to the first token and tokens per second of one answer, measured as its events arrive. */
export class StreamStats {
  private readonly sentAt = performance.now();
  private readonly earlier: Figures;
  private firstAt: number | undefined;
  private lastAt: number | undefined;
  private firstSeq = 0;
  private lastSeq = 0;

  /** `earlier`: the figures measured before a reload, for an answer that resumes. */
  constructor(earlier: Figures = {}) {
    this.earlier = earlier;
  }

  record(response: StreamTokensResponse, now = performance.now()): void {
    const kind = response.event.case;
    if (kind === undefined || kind === "started" || kind === "finished") return;
    // A part's sequence number counts the parts so far, those merged into it included.
    if (this.firstAt === undefined) this.firstSeq = Number(response.sequence);
    this.firstAt ??= now;
    this.lastAt = now;
    this.lastSeq = Number(response.sequence);
  }

  /** Counted from the question, or as measured before a reload: the first part of a resumed stream is no first token. */
  get firstTokenMs(): number | undefined {
    return this.earlier.firstTokenMs ?? (this.firstAt === undefined ? undefined : this.firstAt - this.sentAt);
  }

  get tokensPerSecond(): number | undefined {
    // Parts that came in one burst, as a cached or local reply's do, or a resumed stream's backlog, measure the
    // network, not the model.
    if (this.firstAt === undefined || this.lastAt === undefined || this.lastAt - this.firstAt < minSpanMs) return this.earlier.tokensPerSecond;
    // The first part starts the clock, so it is not counted in the rate.
    return (this.lastSeq - this.firstSeq) / ((this.lastAt - this.firstAt) / 1000);
  }
}
