import cluster from "node:cluster";

/** What a worker can ask the primary for, and the answer's type. */
export interface PrimaryAnswers {
  /** The chat page, bundled once by the primary: its files by path. */
  page: [string, { type: string; body: string }][];
  /** The Prometheus text of every worker's metrics, summed. */
  metrics: string;
  /**
   * A round trip once the worker's listener has closed. The primary hands
   * connections over until it reads the close; the channel keeps order, so
   * any handed over before then have reached the worker, and gone back to be
   * handed to another, by the time this answer does: the worker may exit
   * without dropping one.
   */
  listenerClosed: true;
}

type Ask = { tokenwire: "ask"; id: number; kind: keyof PrimaryAnswers };
type Answer = { tokenwire: "answer"; id: number; value?: unknown; error?: string };

/** In the primary: answers the workers' {@link askPrimary} calls with `handlers`. */
export function answerWorkers(handlers: { [K in keyof PrimaryAnswers]: () => Promise<PrimaryAnswers[K]> }): void {
  cluster.on("message", (worker, message: Partial<Ask>) => {
    if (message.tokenwire !== "ask" || message.kind === undefined) return;
    const reply = (answer: Omit<Answer, "tokenwire" | "id">) => worker.isConnected() && worker.send({ tokenwire: "answer", id: message.id, ...answer });
    handlers[message.kind]().then(
      (value) => reply({ value }),
      (reason: unknown) => reply({ error: String(reason) }),
    );
  });
}

const waiting = new Map<number, { resolve: (value: never) => void; reject: (reason: Error) => void }>();
let nextId = 0;

/** In a worker: asks the primary for `kind`; fails if the primary answers with an error or goes away. */
export function askPrimary<K extends keyof PrimaryAnswers>(kind: K): Promise<PrimaryAnswers[K]> {
  if (nextId === 0) listen();
  const id = ++nextId;
  return new Promise((resolve, reject) => {
    waiting.set(id, { resolve, reject });
    process.send!({ tokenwire: "ask", id, kind } satisfies Ask);
  });
}

function listen(): void {
  process.on("message", (message: Partial<Answer>) => {
    const waiter = message.tokenwire === "answer" ? waiting.get(message.id!) : undefined;
    if (!waiter) return;
    waiting.delete(message.id!);
    if (message.error === undefined) waiter.resolve(message.value as never);
    else waiter.reject(new Error(message.error));
  });
  process.once("disconnect", () => {
    for (const waiter of waiting.values()) waiter.reject(new Error("the primary process is gone"));
    waiting.clear();
  });
}
