import { PassThrough, Readable } from "node:stream";
import type { TokenEvent } from "../../../src/index.ts";
import type { SseSink, SseSinkOptions } from "../../../src/adapters/dialect/sse-sink.ts";
import type { SinkUnderTest } from "../../support/sink-contract.ts";

/** The frames a stream sent for one event: its SSE id (its sequence), and each frame's JSON. */
export interface FrameGroup {
  seq: number | undefined;
  data: Record<string, unknown>[];
}

/**
 * Reads an SSE body as a client does, frame by frame, and groups the frames
 * by their id: every frame tokenwire writes for one event carries its
 * sequence. `[DONE]` ends the groups.
 */
export async function* frameGroups(body: ReadableStream<Uint8Array> | Iterable<Uint8Array>): AsyncGenerator<FrameGroup> {
  const decoder = new TextDecoder();
  let carry = "";
  let group: FrameGroup | undefined;
  // Node's ReadableStream is async-iterable, which the DOM typings do not say.
  for await (const bytes of body as unknown as AsyncIterable<Uint8Array>) {
    carry += decoder.decode(bytes, { stream: true });
    const frames = carry.split("\n\n");
    carry = frames.pop()!;
    for (const frame of frames) {
      const id = /^id: (\d+)$/m.exec(frame)?.[1];
      const data = /^data: (.*)$/m.exec(frame)?.[1] ?? "";
      if (data === "[DONE]") continue;
      const seq = id === undefined ? undefined : Number(id);
      if (group && group.seq !== seq) yield group;
      if (!group || group.seq !== seq) group = { seq, data: [] };
      group.data.push(JSON.parse(data) as Record<string, unknown>);
    }
  }
  if (group) yield group;
}

/** The contract's view of a dialect's sink: its events as a client of that dialect decodes them from the bytes. */
export function dialectSinkUnderTest(create: (options: SseSinkOptions) => SseSink, decode: (group: FrameGroup) => TokenEvent) {
  return ({ highWaterMark }: { highWaterMark: number }): SinkUnderTest => {
    let gone: () => void = () => {};
    const readerGone = new Promise<void>((resolve) => (gone = resolve));
    const sink = create({ highWaterMark, onReturn: () => gone() });
    async function* read(): AsyncGenerator<TokenEvent> {
      for await (const group of frameGroups(sink.body())) yield decode(group);
    }
    return { sink, read, readerGone };
  };
}

/**
 * The same view, with the sink attached to a node response as the node
 * handler attaches it: a wire that holds one frame until it is read, as a
 * socket whose peer does not read, and that closes when the client stops reading.
 */
export function dialectSinkOnNodeWire(create: (options: SseSinkOptions) => SseSink, decode: (group: FrameGroup) => TokenEvent) {
  return ({ highWaterMark }: { highWaterMark: number }): SinkUnderTest => {
    let gone: () => void = () => {};
    const readerGone = new Promise<void>((resolve) => (gone = resolve));
    const sink = create({ highWaterMark, onReturn: () => gone() });
    const wire = new PassThrough({ highWaterMark: 1 });
    sink.attach(wire);
    async function* read(): AsyncGenerator<TokenEvent> {
      try {
        for await (const group of frameGroups(Readable.toWeb(wire) as ReadableStream<Uint8Array>)) yield decode(group);
      } finally {
        wire.destroy();
      }
    }
    return { sink, read, readerGone };
  };
}
