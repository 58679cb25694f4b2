import { errors } from "./errors.ts";
import type { StreamControl } from "./stream-control.ts";

/**
 * Stops a stream whose source has been silent for `idleMs` while nothing held
 * it back: a model that stalls mid-reply, with no deadline, would otherwise
 * hold its stream slot forever. One interval per stream checks the time of the
 * last event, so no timer is reset on every token.
 * @internal
 */
export function watchIdle(control: StreamControl, idleMs: number) {
  let lastHeard = performance.now();
  let heldBack = false;
  const check = (): void => {
    if (!heldBack && performance.now() - lastHeard >= idleMs) control.abort(errors.upstreamIdle(idleMs));
  };
  const timer = setInterval(check, Math.max(10, Math.min(1000, idleMs / 4)));
  timer.unref?.();
  return {
    heard(): void {
      lastHeard = performance.now();
    },
    /** The time a slow reader holds the source back is not the source's silence. */
    async during(wait: Promise<void>): Promise<void> {
      heldBack = true;
      try {
        await wait;
      } finally {
        heldBack = false;
        lastHeard = performance.now();
      }
    },
    dispose: () => clearInterval(timer),
  };
}
