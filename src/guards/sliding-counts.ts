/** The window is this many slices of counters: the memory is fixed, the window slides in steps. */
const SLICES = 10;

/**
 * Two counts over a sliding window: ten slices of `windowMs / 10`, aligned on multiples of the
 * slice length, covering the current slice and the nine before it (so the window spans between
 * 0.9 and 1 × `windowMs`). The retry budget counts requests and retries in one, a circuit breaker
 * attempts and failures. O(1) amortised per call, fixed memory.
 */
export class SlidingCounts {
  /** The first count over the window. */
  first = 0;
  /** The second count over the window. */
  second = 0;
  private readonly sliceMs: number;
  private readonly firstSlices = new Float64Array(SLICES);
  private readonly secondSlices = new Float64Array(SLICES);
  /** Position of the current slice in the ring. */
  private current = 0;
  /** Number of the current slice since the clock's origin: `⌊now / sliceMs⌋`. */
  private slice = Number.NEGATIVE_INFINITY;

  constructor(windowMs: number) {
    this.sliceMs = windowMs / SLICES;
  }

  addFirst(): void {
    this.firstSlices[this.current]! += 1;
    this.first += 1;
  }

  addSecond(): void {
    this.secondSlices[this.current]! += 1;
    this.second += 1;
  }

  /** Drops the slices that left the window. Slice numbers, not summed times: no float drift. */
  advance(now: number): void {
    const slice = Math.floor(now / this.sliceMs);
    const passed = slice - this.slice;
    // A clock that stood still, went backwards or returned NaN leaves the window as it is.
    if (!(passed > 0)) return;
    this.slice = slice;
    if (passed >= SLICES) {
      this.clear();
      return;
    }
    for (let step = 0; step < passed; step++) {
      this.current = (this.current + 1) % SLICES;
      this.first -= this.firstSlices[this.current]!;
      this.second -= this.secondSlices[this.current]!;
      this.firstSlices[this.current] = 0;
      this.secondSlices[this.current] = 0;
    }
  }

  /** Empties the window (the slice position stays). */
  clear(): void {
    this.firstSlices.fill(0);
    this.secondSlices.fill(0);
    this.first = 0;
    this.second = 0;
  }
}
