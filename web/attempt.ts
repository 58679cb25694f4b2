/** Runs an action that may throw, such as a use of storage a browser refuses, and returns undefined when it does. */
export function attempt<T>(action: () => T): T | undefined {
  try {
    return action();
  } catch {
    return undefined;
  }
}
