import { afterEach, describe, expect, it, vi } from "vitest";
import { TokenwireError } from "../../src/index.ts";
import { streamsRetryMs, untilLevel, type Lease, type LimitStore } from "../../src/server/caller-limits.ts";

/** Options of {@link runLimitStoreContract}. */
export interface LimitStoreContractOptions {
  name: string;
  /** A fresh store; each test uses callers of its own, so stores may share what they count. */
  createStore(): LimitStore | Promise<LimitStore>;
}

const tpm = 50;
const budget = { outputTokensPerMinute: tpm };
// A whole token of refill, the longest a caller at an empty bucket waits for one.
const oneTokenMs = untilLevel(0, 1, tpm);

type Outcome = { lease: Lease } | { refused: TokenwireError };
const outcome = (admitting: Promise<Lease>): Promise<Outcome> =>
  admitting.then(
    (lease) => ({ lease }),
    (refused: unknown) => ({ refused: refused as TokenwireError }),
  );
// A release may reach a shared store after the next admission: what depends on it is looked at until it holds.
const eventually = <T>(check: () => Promise<T>): Promise<T> => vi.waitFor(check, { timeout: 2000, interval: 20 });
const leases = (outcomes: Outcome[]) => outcomes.flatMap((o) => ("lease" in o ? [o.lease] : []));
const refusals = (outcomes: Outcome[]) => outcomes.flatMap((o) => ("refused" in o ? [o.refused] : []));

/**
 * What every {@link LimitStore} owes its callers, run against one
 * implementation: concurrent streams, and output tokens reserved when a
 * stream is admitted and settled when it ends, so that streams started side
 * by side cannot spend the same budget, and a caller over it waits about a
 * minute at most.
 */
export function runLimitStoreContract({ name, createStore }: LimitStoreContractOptions): void {
  const opened: LimitStore[] = [];
  const open = async () => {
    const store = await createStore();
    opened.push(store);
    return store;
  };
  afterEach(async () => {
    await Promise.all(opened.splice(0).map((store) => store.close()));
  });
  const caller = () => `caller-${crypto.randomUUID()}`;
  const admitTen = (store: LimitStore, who: string, reserveTokens?: number) =>
    Promise.all(Array.from({ length: 10 }, () => outcome(store.admit(who, budget, { reserveTokens }))));

  describe(`${name}: the LimitStore contract`, () => {
    it("should admit ten streams started together only while the bucket holds their max tokens, and refuse the rest until it refills", async () => {
      const store = await open();
      const outcomes = await admitTen(store, caller(), 10);
      expect(leases(outcomes)).toHaveLength(tpm / 10);
      for (const refused of refusals(outcomes)) {
        expect(refused.code).toBe("resource_exhausted");
        expect(refused.retryAfterMs).toBeLessThanOrEqual(oneTokenMs);
      }
    });

    it("should let one stream without max tokens take the rest of the bucket, refuse the others, and leave a debt of at most a minute", async () => {
      const store = await open();
      const who = caller();
      const outcomes = await admitTen(store, who);
      const [lease, ...more] = leases(outcomes);
      expect(more).toHaveLength(0);
      for (const refused of refusals(outcomes)) expect(refused.retryAfterMs).toBeLessThanOrEqual(Math.max(oneTokenMs, streamsRetryMs));
      // It spends twenty times the budget: the debt it leaves is one minute's allowance, not twenty.
      lease!.release(20 * tpm);
      await eventually(async () => {
        const [after] = refusals([await outcome(store.admit(who, budget))]);
        expect(after?.retryAfterMs).toBeGreaterThan(untilLevel(0, 1, tpm));
        expect(after?.retryAfterMs).toBeLessThanOrEqual(untilLevel(-tpm, 1, tpm));
      });
    });

    it("should admit streams that fit the bucket as it refills while one that did not runs, but no second one that does not", async () => {
      const store = await open();
      const who = caller();
      // A thousand tokens a second: the bucket that one stream emptied holds a few again within milliseconds.
      const fast = { outputTokensPerMinute: 60_000 };
      const unbounded = await store.admit(who, fast);
      await new Promise((resolve) => setTimeout(resolve, 20));
      const fits = await store.admit(who, fast, { reserveTokens: 5 });
      const [second] = refusals([await outcome(store.admit(who, fast))]);
      expect(second?.retryAfterMs).toBe(streamsRetryMs);
      unbounded.release(10);
      const next = await eventually(() => store.admit(who, fast));
      for (const lease of [fits, next]) lease.release();
    });

    it("should give back what a stream reserved and did not spend, and all of it for one that spent nothing", async () => {
      const store = await open();
      const who = caller();
      const reading = await store.admit(who, budget, { reserveTokens: tpm });
      reading.release();
      const spending = await eventually(() => store.admit(who, budget, { reserveTokens: tpm }));
      spending.release(10);
      // Forty of fifty came back: a stream that reserves them fits, and leaves nothing for another.
      const fits = await eventually(() => store.admit(who, budget, { reserveTokens: 40 }));
      expect(refusals([await outcome(store.admit(who, budget, { reserveTokens: 10 }))])).toHaveLength(1);
      fits.release(0);
    });

    it("should count concurrent streams until each is released, once however often", async () => {
      const store = await open();
      const who = caller();
      const limits = { maxConcurrentStreams: 2 };
      const [a, b] = [await store.admit(who, limits), await store.admit(who, limits)];
      const refused = refusals([await outcome(store.admit(who, limits))]);
      expect(refused[0]?.retryAfterMs).toBe(streamsRetryMs);
      a.release();
      a.release();
      const c = await eventually(() => store.admit(who, limits));
      expect(refusals([await outcome(store.admit(who, limits))])).toHaveLength(1);
      for (const lease of [b, c]) lease.release();
    });
  });
}
