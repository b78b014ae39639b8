import fc from 'fast-check';
import { clampDelay, computeBackoff, type BackoffPolicy } from '../../src/policy/backoff.js';
import type { JitterMode } from '../../src/types.js';

const MAX_TIMER_MS = 2 ** 31 - 1;

const jitterModes: fc.Arbitrary<JitterMode> = fc.oneof(
  fc.double({ min: 0, max: 1, noNaN: true }),
  fc.constantFrom<JitterMode>('full', 'equal', 'decorrelated', 'none'),
);
/** Any number `Math.random` can return: [0, 1). */
const randoms = fc.double({ min: 0, max: 1, maxExcluded: true, noNaN: true });
const delays = fc.oneof(fc.integer({ min: 0, max: 10_000 }), fc.double({ min: 0, max: 1e15, noNaN: true }));
const policies: fc.Arbitrary<BackoffPolicy> = fc.record({
  baseDelayMs: delays,
  maxDelayMs: fc.oneof(delays, fc.constant(Number.MAX_VALUE)),
  jitter: jitterModes,
});

describe('computeBackoff', () => {
  it('always waits a finite time between 0 and the cap, whatever the jitter, attempt or random value', () => {
    fc.assert(
      fc.property(
        fc.integer({ min: 0, max: 2000 }),
        policies,
        fc.oneof(fc.constant(0), delays),
        randoms,
        (retryIndex, policy, previous, random) => {
          const delay = computeBackoff(retryIndex, policy, previous, () => random);
          expect(Number.isFinite(delay)).toBe(true);
          expect(delay).toBeGreaterThanOrEqual(0);
          expect(delay).toBeLessThanOrEqual(Math.min(policy.maxDelayMs, MAX_TIMER_MS));
        },
      ),
    );
  });

  it('never rounds a wait above a fractional cap', () => {
    fc.assert(
      fc.property(
        fc.double({ min: 0, max: 1e6, noNaN: true }),
        jitterModes,
        randoms,
        (cap, jitter, random) => {
          const policy = { baseDelayMs: cap, maxDelayMs: cap, jitter };
          expect(computeBackoff(0, policy, cap, () => random)).toBeLessThanOrEqual(cap);
        },
      ),
      { examples: [[100.5, 'none', 0]] },
    );
  });

  it('never waits longer than a timer can (2**31 - 1 ms), even with no cap', () => {
    fc.assert(
      fc.property(fc.integer({ min: 0, max: 100 }), jitterModes, randoms, (retryIndex, jitter, random) => {
        const policy = { baseDelayMs: 1e12, maxDelayMs: Number.MAX_VALUE, jitter };
        expect(computeBackoff(retryIndex, policy, 1e12, () => random)).toBeLessThanOrEqual(MAX_TIMER_MS);
      }),
    );
  });

  it("waits the seed's base * 2**n + U(0, base * 2**n * jitter), capped at maxDelayMs, for a numeric jitter", () => {
    fc.assert(
      fc.property(
        fc.integer({ min: 0, max: 30 }),
        fc.integer({ min: 1, max: 5000 }),
        fc.integer({ min: 1, max: 120_000 }),
        fc.double({ min: 0, max: 1, noNaN: true }),
        randoms,
        (retryIndex, baseDelayMs, maxDelayMs, jitter, random) => {
          const exponential = baseDelayMs * 2 ** retryIndex;
          const seed = Math.min(exponential + random * exponential * jitter, maxDelayMs);
          const delay = computeBackoff(retryIndex, { baseDelayMs, maxDelayMs, jitter }, 0, () => random);
          expect(Math.abs(delay - seed)).toBeLessThanOrEqual(0.5);
        },
      ),
    );
  });

  it('doubles the wait on each retry with the default base (1 s, 2 s, 4 s) when jitter is 0', () => {
    const policy = { baseDelayMs: 1000, maxDelayMs: 60_000, jitter: 0 };
    expect([0, 1, 2].map((n) => computeBackoff(n, policy, 0, () => 0.99))).toEqual([1000, 2000, 4000]);
  });

  it("waits exactly base * 2**n (capped) with jitter 'none', whatever the random source says", () => {
    fc.assert(
      fc.property(
        fc.integer({ min: 0, max: 60 }),
        fc.integer({ min: 0, max: 10_000 }),
        fc.integer({ min: 0, max: 10_000_000 }),
        randoms,
        (retryIndex, baseDelayMs, maxDelayMs, random) => {
          const policy = { baseDelayMs, maxDelayMs, jitter: 'none' as const };
          const expected = Math.min(baseDelayMs * 2 ** retryIndex, maxDelayMs);
          expect(computeBackoff(retryIndex, policy, 0, () => random)).toBe(expected);
        },
      ),
    );
  });

  it("keeps 'full' jitter within [0, base * 2**n] and 'equal' within [half of it, all of it]", () => {
    fc.assert(
      fc.property(
        fc.integer({ min: 0, max: 20 }),
        fc.integer({ min: 1, max: 1000 }),
        randoms,
        (retryIndex, baseDelayMs, random) => {
          const d = Math.min(baseDelayMs * 2 ** retryIndex, 60_000);
          const policy = { baseDelayMs, maxDelayMs: 60_000 };
          const full = computeBackoff(retryIndex, { ...policy, jitter: 'full' }, 0, () => random);
          const equal = computeBackoff(retryIndex, { ...policy, jitter: 'equal' }, 0, () => random);
          expect(full).toBeGreaterThanOrEqual(0);
          expect(full).toBeLessThanOrEqual(d);
          expect(equal).toBeGreaterThanOrEqual(Math.floor(d / 2));
          expect(equal).toBeLessThanOrEqual(d);
        },
      ),
    );
  });

  it("keeps 'decorrelated' jitter within [base, min(cap, previous wait * 3)]", () => {
    fc.assert(
      fc.property(
        fc.integer({ min: 0, max: 20 }),
        fc.integer({ min: 1, max: 1000 }),
        fc.integer({ min: 1000, max: 100_000 }),
        fc.integer({ min: 1, max: 200_000 }),
        randoms,
        (retryIndex, baseDelayMs, maxDelayMs, previous, random) => {
          const policy = { baseDelayMs, maxDelayMs, jitter: 'decorrelated' as const };
          const delay = computeBackoff(retryIndex, policy, previous, () => random);
          expect(delay).toBeGreaterThanOrEqual(baseDelayMs);
          expect(delay).toBeLessThanOrEqual(Math.max(baseDelayMs, Math.min(maxDelayMs, previous * 3)));
        },
      ),
    );
  });

  it("grows 'decorrelated' waits from the previous one, not from the attempt number", () => {
    const policy = { baseDelayMs: 100, maxDelayMs: 60_000, jitter: 'decorrelated' as const };
    expect(computeBackoff(0, policy, 0, () => 0.999_999)).toBe(300);
    expect(computeBackoff(0, policy, 5000, () => 0.999_999)).toBe(15_000);
  });
});

describe('clampDelay', () => {
  it('turns NaN, negative and infinite waits into something a timer accepts', () => {
    expect(clampDelay(Number.NaN)).toBe(0);
    expect(clampDelay(-5)).toBe(0);
    expect(clampDelay(Number.POSITIVE_INFINITY)).toBe(MAX_TIMER_MS);
    expect(clampDelay(1e300, Number.MAX_VALUE)).toBe(MAX_TIMER_MS);
  });
});
