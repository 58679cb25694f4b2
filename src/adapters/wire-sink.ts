import { enqueue, nextTurn, type Mergeable } from "../core/iterator-sink.ts";
import type { TokenSink } from "../core/token-sink.ts";

/**
 * What a wire sink writes to: `node:http`'s and `node:http2`'s responses are
 * one, and so is a fetch body ({@link readableWire}).
 */
export interface Wire {
  /** False when the wire is full: the sink waits for `drain` before it writes again. */
  write(chunk: Uint8Array | string): boolean;
  end(): unknown;
  once(event: "drain" | "close", listener: () => void): unknown;
  on(event: "error", listener: () => void): unknown;
}

/** The bytes of one write; a string goes out as UTF-8. */
export type Chunk = Uint8Array | string;

/** Options of {@link createWireSink}. */
export interface WireSinkOptions<E> {
  /**
   * The bytes of the events that go out in one write, and of the stream's end
   * when `end` is given (with the error that ended it, or none after a stream
   * that finished well). A promise for work that takes its time: compression.
   */
  encode(events: E[], end: { error: unknown } | undefined): Chunk | Promise<Chunk>;
  /** Called with the first write's events, before it: where a response's head goes out. */
  open?(events: E[]): void;
  /** Characters of unsent text past which `write` asks the producer to wait; default 64 Ki. */
  highWaterMark?: number;
  /** Called once when the wire closes before the stream ended: the call should stop. */
  onReturn?: () => void;
}

/** A {@link TokenSink} that writes its own bytes onto a wire, once it has one. */
export interface WireSink<E> extends TokenSink<E> {
  close(error?: unknown): void;
  /** Starts writing onto `wire`. Events written before wait, merged, so that a reply's head can wait for its status. */
  attach(wire: Wire): void;
}

/**
 * A sink that writes events straight onto a wire. The first write goes out at
 * once; the rest go out once per turn of the event loop, so the tokens of one
 * read of the upstream make one write. While the wire is full the unsent
 * deltas merge (`canMerge`), and past the high-water mark the producer waits,
 * which holds back the upstream.
 */
export function createWireSink<E extends Mergeable>(options: WireSinkOptions<E>): WireSink<E> {
  const highWaterMark = options.highWaterMark ?? 65536;
  const pending: E[] = [];
  let text = 0; // characters of pending text
  let wire: Wire | undefined;
  let opened = false;
  let scheduled = false;
  let busy = false; // waiting for the wire's drain or for an encoding
  let closing: { error: unknown } | undefined;
  let finished = false;
  let gone = false;
  let producer: (() => void) | undefined;

  const release = (): void => {
    if (text > highWaterMark || !producer) return;
    producer();
    producer = undefined;
  };
  const leave = (): void => {
    if (finished || gone) return;
    gone = true;
    pending.length = 0;
    text = 0;
    release();
    options.onReturn?.();
  };

  const flush = (): void => {
    if (!wire || busy || gone || finished || (pending.length === 0 && !closing)) return;
    const events = pending.splice(0);
    text = 0;
    finished = closing !== undefined;
    if (!opened) {
      opened = true;
      options.open?.(events);
    }
    const chunk = options.encode(events, closing);
    release();
    if (typeof chunk === "string" || chunk instanceof Uint8Array) return out(chunk);
    busy = true;
    chunk.then((bytes) => {
      busy = false;
      if (!gone) out(bytes);
    }, leave);
  };

  const out = (chunk: Chunk): void => {
    const full = chunk.length > 0 && !wire!.write(chunk);
    if (finished) return void wire!.end();
    if (full) {
      busy = true;
      wire!.once("drain", drained);
    } else {
      flush();
    }
  };

  function drained(): void {
    busy = false;
    flush();
  }

  const schedule = (): void => {
    if (scheduled || busy) return;
    scheduled = true;
    nextTurn(() => {
      scheduled = false;
      flush();
    });
  };

  return {
    write(event) {
      if (closing || gone) return;
      text += event.text?.length ?? 0;
      enqueue(pending, event);
      if (opened) schedule();
      else flush(); // the first event goes at once: the client sees the head without waiting for a token
      if (text <= highWaterMark) return;
      return new Promise<void>((resolve) => (producer = resolve));
    },
    close(error) {
      if (closing || gone) return;
      closing = { error };
      flush();
    },
    attach(to) {
      wire = to;
      to.once("close", leave);
      to.on("error", leave);
      flush();
    },
  };
}

/**
 * A wire whose bytes are a `ReadableStream`'s, for a fetch `Response`. It is
 * full until the reader asks for more (high-water mark 0), so the reader's
 * pace reaches the sink; a cancel is the wire closing.
 */
export function readableWire(): { wire: Wire; stream: ReadableStream<Uint8Array> } {
  const utf8 = new TextEncoder();
  const waiting = { drain: [] as (() => void)[], close: [] as (() => void)[] };
  const emit = (event: keyof typeof waiting): void => {
    for (const listener of waiting[event].splice(0)) listener();
  };
  let controller!: ReadableStreamDefaultController<Uint8Array>;
  let closed = false;
  const stream = new ReadableStream<Uint8Array>(
    {
      start: (each) => void (controller = each),
      pull: () => emit("drain"),
      cancel: () => {
        closed = true;
        emit("close");
      },
    },
    { highWaterMark: 0 },
  );
  const wire: Wire = {
    write(chunk) {
      if (closed) return true;
      controller.enqueue(typeof chunk === "string" ? utf8.encode(chunk) : chunk);
      return (controller.desiredSize ?? 0) > 0;
    },
    end() {
      if (!closed) controller.close();
      closed = true;
    },
    once: (event, listener) => void waiting[event].push(listener),
    on: () => {}, // a stream's reader sees no write fail: it cancels, which is `close`
  };
  return { wire, stream };
}
