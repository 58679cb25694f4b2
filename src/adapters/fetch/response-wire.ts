import type { FrameWire } from "../rpc-stream/frame-sink.ts";
import { readableWire } from "../wire-sink.ts";

/**
 * A frame wire that is a fetch `Response`: the response, with the head's
 * status and headers, comes when the sink writes its head (at the first event
 * or the end), and its body is read at its reader's pace ({@link readableWire}).
 */
export function responseWire(): { wire: FrameWire; response: Promise<Response>; fail(reason: unknown): void } {
  const { wire, stream } = readableWire();
  let settle!: (response: Response) => void;
  let fail!: (reason: unknown) => void;
  const response = new Promise<Response>((resolve, reject) => ((settle = resolve), (fail = reject)));
  return {
    wire: {
      ...wire,
      writeHead: (status, headers) => settle(new Response(stream, { status, headers })),
      // Only gRPC's status is in trailers, and the calls leave gRPC out where the HTTP version is not told.
      addTrailers() {
        throw new Error("a fetch Response has no trailers");
      },
    },
    response,
    fail,
  };
}
