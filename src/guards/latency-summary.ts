/** Latencies under this share the first bucket. */
const FLOOR_MS = 0.1;
/** Each bucket is this many times wider than the one before: the answer is within √1.05 − 1. */
const RATIO = 1.05;
const LOG_RATIO = Math.log(RATIO);
/** The last bucket holds 2^31 ms (the longest timer): enough for any latency worth hedging. */
const BUCKETS = 2 + Math.ceil(Math.log(2 ** 31 / FLOOR_MS) / LOG_RATIO);

/**
 * The relative error of {@link LatencySummary.quantile} against the true quantile of the samples
 * it holds, for quantiles of at least 0.1 ms: `√1.05 − 1`, about 2.47 %.
 */
export const LATENCY_RELATIVE_ERROR = Math.sqrt(RATIO) - 1;

/**
 * A fixed-size latency summary of the last `capacity` samples: the statistics behind
 * `hedge.delayMs: 'auto'` (one per scope).
 *
 * Samples are counted in log-spaced buckets (each 5 % wider than the last, from 0.1 ms to 2^31 ms,
 * about 490 of them); a ring of bucket indexes remembers the order of the samples so that the
 * oldest leaves in O(1). `add` is O(1), `quantile` walks the buckets once, and the memory is
 * fixed (two typed arrays, about 4 KB at the default capacity). The answer for a quantile is the
 * geometric middle of the bucket that holds the true one (the nearest-rank quantile of the samples
 * held): within {@link LATENCY_RELATIVE_ERROR} of it, or at most 0.1 ms when it is under 0.1 ms.
 */
export class LatencySummary {
  readonly capacity: number;
  readonly minimumSamples: number;
  private readonly counts = new Uint32Array(BUCKETS);
  private readonly ring: Uint16Array;
  /** Where the next sample goes in the ring (the oldest one, once it is full). */
  private next = 0;
  private held = 0;

  /**
   * @param capacity how many of the latest samples are summarised (an integer ≥ 1)
   * @param minimumSamples `quantile` answers `undefined` until this many are held (1 to capacity)
   */
  constructor(capacity = 1000, minimumSamples = 20) {
    if (!Number.isInteger(capacity) || capacity < 1 || capacity > 2 ** 32 - 1) {
      throw new TypeError(`Expected \`capacity\` to be an integer ≥ 1, got ${String(capacity)}`);
    }
    if (!Number.isInteger(minimumSamples) || minimumSamples < 1 || minimumSamples > capacity) {
      throw new TypeError(
        `Expected \`minimumSamples\` to be an integer in [1, ${capacity}], got ${String(minimumSamples)}`,
      );
    }
    this.capacity = capacity;
    this.minimumSamples = minimumSamples;
    this.ring = new Uint16Array(capacity);
  }

  /** Samples held now: at most `capacity`. */
  get size(): number {
    return this.held;
  }

  /** Adds one latency, in milliseconds; NaN, negative and infinite values are ignored. */
  add(ms: number): void {
    if (!(ms >= 0 && ms < Number.POSITIVE_INFINITY)) return;
    const bucket = bucketOf(ms);
    if (this.held === this.capacity) {
      this.counts[this.ring[this.next]!]! -= 1;
    } else {
      this.held += 1;
    }
    this.ring[this.next] = bucket;
    this.counts[bucket]! += 1;
    this.next = this.next + 1 === this.capacity ? 0 : this.next + 1;
  }

  /**
   * The `q`-quantile of the samples held (the `⌈q · size⌉`-th smallest, the smallest for `q = 0`),
   * or `undefined` while fewer than `minimumSamples` are held.
   *
   * @throws TypeError when `q` is not a number in [0, 1]
   */
  quantile(q: number): number | undefined {
    if (!(q >= 0 && q <= 1)) {
      throw new TypeError(`Expected the quantile to be a number in [0, 1], got ${String(q)}`);
    }
    if (this.held < this.minimumSamples) return undefined;
    const rank = Math.max(1, Math.ceil(q * this.held));
    let seen = 0;
    for (let bucket = 0; bucket < BUCKETS; bucket++) {
      seen += this.counts[bucket]!;
      if (seen >= rank) return valueOf(bucket);
    }
    return valueOf(BUCKETS - 1);
  }
}

/** Bucket 0 holds [0, 0.1 ms); bucket i ≥ 1 holds [0.1 · 1.05^(i−1), 0.1 · 1.05^i) ms. */
function bucketOf(ms: number): number {
  if (ms < FLOOR_MS) return 0;
  return Math.min(BUCKETS - 1, 1 + Math.floor(Math.log(ms / FLOOR_MS) / LOG_RATIO));
}

/** The geometric middle of a bucket: at most a factor √1.05 from anything in it. */
function valueOf(bucket: number): number {
  return bucket === 0 ? FLOOR_MS : FLOOR_MS * RATIO ** (bucket - 0.5);
}
