import fc from 'fast-check';
import { LATENCY_RELATIVE_ERROR, LatencySummary } from '../../src/guards/latency-summary.js';

/** The nearest-rank `q`-quantile of `samples` by a full sort: the `⌈q · n⌉`-th smallest. */
function exactQuantile(samples: readonly number[], q: number): number {
  const sorted = [...samples].sort((a, b) => a - b);
  return sorted[Math.max(1, Math.ceil(q * sorted.length)) - 1]!;
}

function summaryOf(samples: readonly number[], capacity = 1_000, minimumSamples = 1): LatencySummary {
  const summary = new LatencySummary(capacity, minimumSamples);
  for (const ms of samples) summary.add(ms);
  return summary;
}

/** Within the summary's relative error (a hair more for rounding in the logarithms). */
function expectClose(actual: number | undefined, exact: number): void {
  expect(actual).toBeDefined();
  if (exact < 0.1) {
    expect(actual).toBe(0.1);
    return;
  }
  expect(Math.abs(actual! - exact) / exact).toBeLessThanOrEqual(LATENCY_RELATIVE_ERROR + 1e-12);
}

// Latencies a client sees: from sub-millisecond to minutes, most in the tens of milliseconds.
const latency = fc.oneof(
  fc.double({ min: 0, max: 0.1, noNaN: true }),
  fc.double({ min: 0.1, max: 500, noNaN: true }),
  fc.double({ min: 0.1, max: 2 ** 31, noNaN: true }),
  fc.integer({ min: 1, max: 60_000 }),
);

describe('LatencySummary: quantiles', () => {
  it('answers undefined until it holds minimumSamples samples', () => {
    const summary = new LatencySummary(100, 20);
    for (let i = 0; i < 19; i++) summary.add(10);
    expect(summary.quantile(0.95)).toBeUndefined();
    summary.add(10);
    expect(summary.quantile(0.95)).toBeDefined();
  });

  it('answers p95 within its relative error of an exact sort (property)', () => {
    fc.assert(
      fc.property(fc.array(latency, { minLength: 1, maxLength: 1_000, size: 'max' }), (samples) => {
        expectClose(summaryOf(samples).quantile(0.95), exactQuantile(samples, 0.95));
      }),
      { numRuns: 300 },
    );
  });

  it('answers any quantile within its relative error of an exact sort (property)', () => {
    fc.assert(
      fc.property(
        fc.array(latency, { minLength: 1, maxLength: 300, size: 'max' }),
        fc.double({ min: 0, max: 1, noNaN: true }),
        (samples, q) => {
          expectClose(summaryOf(samples).quantile(q), exactQuantile(samples, q));
        },
      ),
      { numRuns: 300 },
    );
  });

  it('answers the p50, p95 and p99 of a known spread', () => {
    const samples = Array.from({ length: 1_000 }, (_, i) => i + 1); // 1 … 1000 ms
    const summary = summaryOf(samples);
    expectClose(summary.quantile(0.5), 500);
    expectClose(summary.quantile(0.95), 950);
    expectClose(summary.quantile(0.99), 990);
    expectClose(summary.quantile(0), 1);
    expectClose(summary.quantile(1), 1_000);
  });

  it('ignores NaN, negative and infinite latencies', () => {
    const summary = summaryOf([10, 10, 10], 10, 3);
    for (const bad of [Number.NaN, -1, -0.001, Number.POSITIVE_INFINITY, Number.NEGATIVE_INFINITY]) {
      summary.add(bad);
    }
    expect(summary.size).toBe(3);
    expectClose(summary.quantile(1), 10);
  });

  it('puts latencies past the longest timer in its last bucket, never past it', () => {
    const summary = summaryOf([1e15, Number.MAX_VALUE], 10, 1);
    const top = summary.quantile(1)!;
    expect(Number.isFinite(top)).toBe(true);
    expect(top).toBeGreaterThan(2 ** 31);
  });

  it.each([-0.1, 1.01, Number.NaN])('rejects the quantile %p with a TypeError', (q) => {
    expect(() => summaryOf([1]).quantile(q)).toThrow(TypeError);
  });
});

describe('LatencySummary: the last `capacity` samples', () => {
  it('holds at most capacity samples', () => {
    const summary = summaryOf(Array.from({ length: 2_500 }, () => 5));
    expect(summary.size).toBe(1_000);
  });

  it('forgets the oldest samples first: 1000 slow ones are gone after 1000 fast ones', () => {
    const summary = new LatencySummary(); // capacity 1000
    for (let i = 0; i < 1_000; i++) summary.add(500);
    for (let i = 0; i < 999; i++) summary.add(5);
    expectClose(summary.quantile(1), 500); // one slow sample left
    summary.add(5);
    expectClose(summary.quantile(1), 5);
    expectClose(summary.quantile(0.95), 5);
  });

  it('answers as a fresh summary of the last capacity samples would, after any history (property)', () => {
    fc.assert(
      fc.property(
        fc.integer({ min: 1, max: 50 }),
        fc.array(latency, { minLength: 1, maxLength: 400, size: 'max' }),
        fc.double({ min: 0, max: 1, noNaN: true }),
        (capacity, samples, q) => {
          const recent = samples.slice(-capacity);
          expect(summaryOf(samples, capacity).quantile(q)).toBe(summaryOf(recent, capacity).quantile(q));
          expectClose(summaryOf(samples, capacity).quantile(q), exactQuantile(recent, q));
        },
      ),
      { numRuns: 500 },
    );
  });
});

describe('LatencySummary: cost', () => {
  /** The summary's own fields: typed arrays by their size, the rest by type. */
  const footprint = (summary: LatencySummary): string[] =>
    Object.entries(summary).map(([key, value]) =>
      ArrayBuffer.isView(value) ? `${key}: ${value.byteLength} bytes` : `${key}: ${typeof value}`,
    );

  it('keeps a fixed memory, about 4 KB at the default capacity', () => {
    const summary = new LatencySummary();
    const before = footprint(summary);
    for (let i = 0; i < 100_000; i++) summary.add((i * 7919) % 30_000);
    expect(footprint(summary)).toEqual(before);
    const bytes = Object.values(summary).reduce<number>(
      (sum, value) => sum + (ArrayBuffer.isView(value) ? value.byteLength : 0),
      0,
    );
    expect(bytes).toBeLessThanOrEqual(4_096);
  });

  it('costs the same per sample at any capacity (add is O(1))', () => {
    // An add that walked the samples would be ~10,000 times slower at the larger capacity.
    const timePerAdd = (capacity: number): number => {
      const summary = new LatencySummary(capacity, 1);
      let best = Number.POSITIVE_INFINITY;
      for (let run = 0; run < 3; run++) {
        const started = performance.now();
        for (let i = 0; i < 100_000; i++) summary.add(i % 1_000);
        best = Math.min(best, performance.now() - started);
      }
      return best;
    };
    const small = timePerAdd(10);
    const large = timePerAdd(100_000);
    expect(large / small).toBeLessThan(5);
  });
});

describe('LatencySummary: construction', () => {
  it('defaults to the last 1000 samples, answering from 20', () => {
    const summary = new LatencySummary();
    expect([summary.capacity, summary.minimumSamples]).toEqual([1_000, 20]);
  });

  it.each([0, -1, 1.5, Number.NaN])('rejects the capacity %p with a TypeError', (capacity) => {
    expect(() => new LatencySummary(capacity)).toThrow(TypeError);
  });

  it.each([0, 11, 2.5])('rejects minimumSamples %p for capacity 10 with a TypeError', (minimum) => {
    expect(() => new LatencySummary(10, minimum)).toThrow(TypeError);
  });
});
