import type { NodeHandler } from "../adapters/node/one-port-server.ts";

/** A request handler that counts its requests in flight. */
export interface RequestTracker {
  handler: NodeHandler;
  readonly inFlight: number;
  /** Resolves when no request is in flight, or after `timeoutMs`, whichever comes first. */
  idle(timeoutMs: number): Promise<void>;
}

/**
 * Wraps a handler to count requests until their response closes: the moment
 * a status has reached the wire, which the core's stream count cannot see.
 */
export function trackRequests(handler: NodeHandler): RequestTracker {
  let inFlight = 0;
  const waiters = new Set<() => void>();
  return {
    handler(req, res) {
      inFlight++;
      res.once("close", () => {
        if (--inFlight > 0) return;
        for (const wake of waiters) wake();
        waiters.clear();
      });
      return handler(req, res);
    },
    get inFlight() {
      return inFlight;
    },
    async idle(timeoutMs) {
      if (inFlight === 0) return;
      let timer: NodeJS.Timeout | undefined;
      await new Promise<void>((resolve) => {
        waiters.add(resolve);
        timer = setTimeout(resolve, timeoutMs);
      });
      clearTimeout(timer);
    },
  };
}
