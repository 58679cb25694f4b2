import { clone, fromJson, toJson, type JsonValue } from "@bufbuild/protobuf";
import { StreamTokensResponseSchema, type Origin, type StreamTokensResponse } from "../gen/tokenwire/v1/token_service_pb.js";

/**
 * An answer's events as the page applied them, kept so that the answer can
 * be painted again after a reload. Consecutive pieces of one kind, one origin
 * and one tool call are merged, as the server merges them for a reader that
 * falls behind, so what is kept grows with the answer's text rather than with
 * its token count; a merged event keeps the sequence of its last piece.
 */
export class Transcript {
  private readonly events: StreamTokensResponse[] = [];

  /** A transcript read back from {@link Transcript.toJson}; an event it cannot read is left out. */
  static fromJson(json: unknown): Transcript {
    const transcript = new Transcript();
    for (const event of Array.isArray(json) ? (json as JsonValue[]) : []) {
      try {
        transcript.events.push(fromJson(StreamTokensResponseSchema, event, { ignoreUnknownFields: true }));
      } catch {
        // Written by another version of the page: what can be read still shows.
      }
    }
    return transcript;
  }

  get responses(): readonly StreamTokensResponse[] {
    return this.events;
  }

  add(response: StreamTokensResponse): void {
    const last = this.events.at(-1);
    if (last && mergeInto(last, response)) return;
    this.events.push(clone(StreamTokensResponseSchema, response));
  }

  toJson(): JsonValue[] {
    return this.events.map((event) => toJson(StreamTokensResponseSchema, event));
  }
}

function mergeInto(last: StreamTokensResponse, next: StreamTokensResponse): boolean {
  if (!sameOrigin(last.origin, next.origin)) return false;
  const [a, b] = [last.event, next.event];
  if (a.case === "delta" && b.case === "delta") a.value.text += b.value.text;
  else if (a.case === "reasoning" && b.case === "reasoning") a.value.text += b.value.text;
  // A piece with an id or a name starts a call of its own.
  else if (a.case === "toolCallDelta" && b.case === "toolCallDelta" && a.value.index === b.value.index && !b.value.id && !b.value.name) a.value.args += b.value.args;
  else return false;
  last.sequence = next.sequence;
  return true;
}

function sameOrigin(a: Origin | undefined, b: Origin | undefined): boolean {
  return (a?.node ?? "") === (b?.node ?? "") && (a?.runId ?? "") === (b?.runId ?? "");
}
