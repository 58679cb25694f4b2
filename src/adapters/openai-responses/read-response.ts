import { hasReason } from "../../core/errors.ts";
import type { Tokenwire } from "../../core/tokenwire.ts";
import type { TokenSink } from "../../core/token-sink.ts";
import type { TokenwireError } from "../../core/tokenwire-error.ts";
import { nextTurn } from "../../core/iterator-sink.ts";
import * as dialect from "../dialect/dialect-handler.ts";
import { createResponseBuilder, unknownEcho, type ResponseBuilder, type ResponseEcho } from "./response-builder.ts";
import { isResponseId } from "./response-ids.ts";
import { createResponseReadSink } from "./response-stream-sink.ts";

/** The wire's name in the log line of each stream. */
export const protocol = "openai";

/** Options of {@link readResponse}. */
export interface ReadResponseOptions {
  /** The kept response, by its id, which names its stream. */
  id: string;
  /**
   * `end`: read its log to the end, however it ends. `now`: a response still
   * generating as it stands, as far as its log reads at once; one that has
   * ended whole.
   */
  upTo: "end" | "now";
}

/** A kept response's object, as {@link readKeptResponse} reads it. */
export async function readResponse(tokenwire: Tokenwire, options: ReadResponseOptions, request: dialect.DialectRequest): Promise<Record<string, unknown>> {
  return (await readKeptResponse(tokenwire, options, request)).response();
}

/**
 * A kept response, built from its stream's log from the start. A response
 * that ended is read whole. One still generating is, with `now`, read as far
 * as the log gives at once (what came in while it was read included) and
 * stands `in_progress`: a poll never waits for the model. An unknown,
 * expired or another caller's response is `not_found`.
 */
export async function readKeptResponse(tokenwire: Tokenwire, options: ReadResponseOptions, request: dialect.DialectRequest): Promise<ResponseBuilder> {
  if (options.upTo === "end") return readLog(tokenwire, { ...options, onlyLive: false }, request);
  try {
    return await readLog(tokenwire, { ...options, onlyLive: true }, request);
  } catch (reason) {
    // A stream that has ended reads as unknown to a reader of live ones only: it is read whole.
    if ((reason as TokenwireError).code !== "not_found") throw reason;
    return readLog(tokenwire, { ...options, upTo: "end", onlyLive: false }, request);
  }
}

/**
 * A kept response as it stands, for a request that goes on from it or from
 * its items: undefined for one this server does not hold (an id not of its
 * shape, unknown, expired, made with `store: false`, or another caller's),
 * which each such request names in its own words.
 */
export async function heldResponse(tokenwire: Tokenwire, id: string, request: dialect.DialectRequest): Promise<ResponseBuilder | undefined> {
  if (!isResponseId(id)) return undefined;
  return readKeptResponse(tokenwire, { id, upTo: "now" }, request).catch((reason: unknown) => {
    if (hasReason(reason, "streamNotFound")) return undefined;
    throw reason;
  });
}

/** A kept response's stream from its log, after the `sequence_number` the reader has: exactly the frames it lacks. */
export function streamResponse(tokenwire: Tokenwire, options: { id: string; echo?: ResponseEcho; startingAfter: number }, request: dialect.DialectRequest): Promise<dialect.DialectReply> {
  const builder = createResponseBuilder({ id: options.id, echo: options.echo ?? unknownEcho });
  const sink = createResponseReadSink({ builder, startingAfter: options.startingAfter, onReturn: request.cancel });
  // Every event of the log, unmerged, so that the ones the reader has build exactly what they built for it.
  void tokenwire.pipeResume({ streamId: options.id, afterSeq: -1 }, sink, { ...dialect.contextOf(request, protocol), coalesceMs: 0 });
  return dialect.headedReply(sink);
}

function readLog(tokenwire: Tokenwire, options: ReadResponseOptions & { onlyLive: boolean }, request: dialect.DialectRequest): Promise<ResponseBuilder> {
  const builder = createResponseBuilder({ id: options.id, echo: unknownEcho });
  const reading = new AbortController();
  return new Promise((resolve, reject) => {
    let read = 0;
    let answered = false;
    const answer = (): void => {
      answered = true;
      resolve(builder);
      reading.abort();
    };
    // The read that ends once answered ends the response no more: it is answered as it stood.
    const sink: TokenSink = {
      write(event) {
        if (answered) return;
        builder.event(event);
        const at = ++read;
        // The log's events so far come one after another within a turn: a turn with none means the read is live.
        if (options.upTo === "now") nextTurn(() => read === at && answer());
      },
      close(error) {
        if (answered) return;
        if (read === 0 && error) return reject(error);
        builder.end(error);
        answer();
      },
    };
    const context = { ...dialect.contextOf(request, protocol), signal: AbortSignal.any([request.signal, reading.signal]) };
    void tokenwire.pipeResume({ streamId: options.id, afterSeq: -1 }, sink, { ...context, onlyLive: options.onlyLive, coalesceMs: 0 });
  });
}
