import type { StreamLogWriter } from "./stream-log.ts";
import type { TokenEvent, Usage } from "./token-event.ts";
import type { TokenSink } from "./token-sink.ts";

/**
 * The sink a resumable stream's producer writes into: the log's writer, with
 * the stream's id (and its call's note) on its started event, and a stop
 * turned into the stream's last event (`finished`, `stopped`) so that what
 * came before it stands, with the usage of the model calls that had finished
 * (`usageSoFar`; undefined when none had).
 * @internal
 */
export function logSink(writer: StreamLogWriter, { streamId, note, usageSoFar }: { streamId: string; note?: unknown; usageSoFar?: () => Usage | undefined }): TokenSink<TokenEvent> {
  let lastSeq = -1;
  return {
    write(event) {
      if (event.type === "started") Object.assign(event, { streamId }, note !== undefined && { note });
      lastSeq = event.seq;
      return writer.write(event);
    },
    close(error) {
      if (error && writer.stopped.aborted) {
        void writer.write({ type: "finished", seq: lastSeq + 1, finishReason: "stopped", usage: usageSoFar?.() });
        return writer.close();
      }
      writer.close(error);
    },
  };
}

/** A log's events as copies, which a reader's sink may merge without touching the log. @internal */
export async function* copiesOf(events: AsyncIterable<TokenEvent>): AsyncGenerator<TokenEvent> {
  for await (const event of events) yield { ...event };
}
