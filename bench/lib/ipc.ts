/** Either end of a Node IPC channel: the child's `process` or the parent's `ChildProcess`. */
export interface IpcEnd {
  send?(message: unknown): boolean;
  on(event: "message", listener: (message: unknown) => void): unknown;
  on(event: "disconnect", listener: () => void): unknown;
}

/** What a peer answers a call with; payloads cross as JSON-safe values. */
export type Handlers = Record<string, (payload: never) => unknown>;

type Message =
  | { kind: "call"; id: number; type: string; payload: unknown }
  | { kind: "reply"; id: number; value?: unknown; error?: string };

/** A request/reply peer over an IPC channel, so bench processes can ask each other for figures. */
export interface IpcPeer {
  call<T>(type: string, payload?: unknown): Promise<T>;
}

/** Answers the other end's calls with `handlers` and lets this end call the other. */
export function createIpcPeer(end: IpcEnd, handlers: Handlers = {}): IpcPeer {
  const pending = new Map<number, { resolve: (value: never) => void; reject: (error: Error) => void }>();
  let nextId = 0;
  const send = (message: Message) => end.send?.(message);
  // A process that dies mid-call fails the call, so a crashed contender ends the run instead of hanging it.
  end.on("disconnect", () => {
    for (const waiter of pending.values()) waiter.reject(new Error("the other process exited"));
    pending.clear();
  });
  end.on("message", (raw) => {
    const message = raw as Message;
    if (message.kind === "reply") return settle(pending, message);
    const handler = handlers[message.type];
    Promise.resolve()
      .then(() => (handler ? handler(message.payload as never) : Promise.reject(new Error(`no handler for ${message.type}`))))
      .then(
        (value) => send({ kind: "reply", id: message.id, value }),
        (error: unknown) => send({ kind: "reply", id: message.id, error: String((error as Error)?.stack ?? error) }),
      );
  });
  return {
    call(type, payload) {
      const id = nextId++;
      send({ kind: "call", id, type, payload });
      return new Promise((resolve, reject) => pending.set(id, { resolve, reject }));
    },
  };
}

function settle(pending: Map<number, { resolve: (value: never) => void; reject: (error: Error) => void }>, reply: { id: number; value?: unknown; error?: string }) {
  const waiter = pending.get(reply.id);
  pending.delete(reply.id);
  if (reply.error !== undefined) waiter?.reject(new Error(reply.error));
  else waiter?.resolve(reply.value as never);
}
