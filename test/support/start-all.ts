interface Stoppable {
  stop(): Promise<void>;
}

/** Starts several processes at once; when one cannot start, stops those that did and throws its error, so that none is left running. */
export async function startAll<T extends readonly Promise<Stoppable>[]>(starting: [...T]): Promise<{ [K in keyof T]: Awaited<T[K]> }> {
  const outcomes = await Promise.allSettled(starting);
  const started = outcomes.flatMap((outcome) => (outcome.status === "fulfilled" ? [outcome.value] : []));
  const failed = outcomes.find((outcome): outcome is PromiseRejectedResult => outcome.status === "rejected");
  if (!failed) return started as { [K in keyof T]: Awaited<T[K]> };
  await Promise.all(started.map((process) => process.stop()));
  throw failed.reason;
}
