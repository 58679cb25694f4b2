import type { StreamTokensResponse } from "../gen/tokenwire/v1/token_service_pb.js";

const minSpanMs = 100;

/** Time to the first token and tokens per second of one answer, measured as its events arrive. */
export class StreamStats {
  private readonly sentAt = performance.now();
  private firstAt: number | undefined;
  private lastAt: number | undefined;
  private parts = 0;

  record(response: StreamTokensResponse, now = performance.now()): void {
    const kind = response.event.case;
    if (kind === undefined || kind === "started" || kind === "finished") return;
    this.firstAt ??= now;
    this.lastAt = now;
    // A part's sequence number counts the parts so far, those merged into it included.
    this.parts = Number(response.sequence);
  }

  get firstTokenMs(): number | undefined {
    return this.firstAt === undefined ? undefined : this.firstAt - this.sentAt;
  }

  get tokensPerSecond(): number | undefined {
    // Parts that came in one burst, as a cached or local reply's do, measure the network, not the model.
    if (this.firstAt === undefined || this.lastAt === undefined || this.lastAt - this.firstAt < minSpanMs) return undefined;
    // The first part starts the clock, so it is not counted in the rate.
    return (this.parts - 1) / ((this.lastAt - this.firstAt) / 1000);
  }
}
