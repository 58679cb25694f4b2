import { errors } from "./errors.ts";
import { validateRequest, type GenerationRequest } from "./generation-request.ts";
import type { ResolvedRun } from "./model-resolver.ts";
import type { StreamSummary } from "./run-stream.ts";
import type { CallContext, StreamKind, TokenwireOptions } from "./tokenwire-options.ts";
import { TokenwireError } from "./tokenwire-error.ts";

/** A share of a limit, held by what it pays for and given back once, when that ends. */
export interface Lease {
  /** Gives the share back; a generation says how many output tokens it spent. */
  release(spentTokens?: number): void;
}

/** What a stream's admission asks of its caller's limits. */
export interface LimitClaim {
  caller: string;
  /** A generation or run-events stream spends: it holds a concurrent stream and tokens. A read spends nothing but a request. */
  kind: StreamKind;
  /** The most output tokens the request may spend (its max tokens), for a token budget to reserve; unset when it names none. */
  reserveTokens?: number;
}

/** Holds callers to their limits; the core asks it once per stream, after it has named the caller. */
export interface Limiter {
  /** Admits one stream of a caller, or throws `resource_exhausted` with when to retry. */
  admit(claim: LimitClaim): Promise<Lease>;
}

/** What a stream's log line and observers learn as it is admitted. @internal */
export interface AdmissionRecord {
  model: string;
  caller: string | undefined;
}

/** A generation let in: what it runs, whose it is, and how it gives back what it took. @internal */
export interface AdmittedGeneration {
  run: ResolvedRun;
  caller: string | undefined;
  /** Gives back the server's stream slot and the caller's lease, with the tokens the generation spent. */
  release(summary: StreamSummary): void;
}

/** A reader let in, and how it gives back what it took. @internal */
export interface AdmittedReader {
  caller: string | undefined;
  release(): void;
}

const noLease: Lease = { release() {} };

/**
 * The one way in for every stream, whatever its wire: the server's drain and
 * stream limit, the caller (the `authenticate` hook), the request's checks,
 * the caller's limits, and the model. A generation's slot and lease are its
 * own until it ends, whether or not anyone reads it; a reader's last while it
 * reads.
 * @internal
 */
export function createAdmission(options: TokenwireOptions) {
  const maxStreams = options.limits?.maxConcurrentStreams ?? 1024;
  let running = 0;
  let draining = false;

  // Slots are taken in arrival order (streams start through the start queue), so under a burst past the limit the
  // latest arrivals are the ones refused.
  const takeSlot = (): (() => void) => {
    if (draining) throw errors.shuttingDown();
    if (running >= maxStreams) throw errors.tooManyStreams(maxStreams);
    running++;
    let held = true;
    return () => {
      if (held) running--;
      held = false;
    };
  };

  async function authenticate(context: CallContext): Promise<string | undefined> {
    try {
      return (await options.authenticate?.(context.headers ?? new Headers())) ?? undefined;
    } catch (reason) {
      throw reason instanceof TokenwireError ? reason : errors.refusedByAuthenticate(reason);
    }
  }

  const leaseOf = (caller: string | undefined, claim: Omit<LimitClaim, "caller">): Promise<Lease> =>
    caller === undefined || !options.limiter ? Promise.resolve(noLease) : options.limiter.admit({ caller, ...claim });

  // Runs one admission step under a slot; the slot goes back if any step refuses.
  async function withSlot<T>(admit: (releaseSlot: () => void) => Promise<T>): Promise<T> {
    const releaseSlot = takeSlot();
    try {
      return await admit(releaseSlot);
    } catch (reason) {
      releaseSlot();
      throw TokenwireError.from(reason);
    }
  }

  return {
    authenticate,
    /** A generation (or a run-events stream) of `request`. */
    generation(request: GenerationRequest, { context, kind, record }: { context: CallContext; kind: StreamKind; record: AdmissionRecord }): Promise<AdmittedGeneration> {
      return withSlot(async (releaseSlot) => {
        const caller = (record.caller = await authenticate(context));
        validateRequest(request, options.limits);
        const lease = await leaseOf(caller, { kind, reserveTokens: request.maxTokens });
        try {
          const run = await options.resolve(request);
          record.model = run.model;
          if (request.tools?.length && !run.toolsBound) throw errors.toolsNotTaken();
          // A stream cut short reports no usage: its text events stand in for its tokens.
          const release = (summary: StreamSummary) => (releaseSlot(), lease.release(summary.usage?.outputTokens ?? summary.tokens));
          return { run, caller, release };
        } catch (reason) {
          lease.release(0);
          throw reason;
        }
      });
    },
    /** A reader of a resumable stream's log. */
    reader(context: CallContext, record: AdmissionRecord): Promise<AdmittedReader> {
      return withSlot(async (releaseSlot) => {
        const caller = (record.caller = await authenticate(context));
        const lease = await leaseOf(caller, { kind: "read" });
        return { caller, release: () => (releaseSlot(), lease.release()) };
      });
    },
    /** From now on every new stream is refused with `unavailable`. */
    drain(): void {
      draining = true;
    },
  };
}

/** @internal The admission of one service. */
export type Admission = ReturnType<typeof createAdmission>;
