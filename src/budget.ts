import { monotonicNow } from './clock.js';

export interface RetryBudgetOptions {
  /**
   * Retries allowed per logical request in the window.
   * @default 0.2
   */
  ratio?: number | undefined;
  /**
   * Retries always allowed per second, so a quiet client can still retry.
   * @default 10
   */
  minPerSecond?: number | undefined;
  /**
   * Length of the sliding window, measured in ten slices.
   * @default 10000
   */
  windowMs?: number | undefined;
}

/** What a budget holds right now. */
export interface RetryBudgetSnapshot {
  /** Logical requests counted in the window. */
  requests: number;
  /** Retries granted in the window. */
  retries: number;
  /** Retries the window allows: `minPerSecond · windowMs/1000 + ratio · requests`. */
  allowance: number;
}

const SLICES = 10;

/**
 * A retry budget: retries in the last `windowMs` stay under
 * `minPerSecond · windowMs/1000 + ratio · requests`. O(1) per call and fixed memory: the window is
 * ten slices of counters, so it slides in steps of `windowMs / 10`.
 *
 * One per instance by default; pass the same budget to several instances to share it.
 */
export class RetryBudget {
  readonly ratio: number;
  readonly minPerSecond: number;
  readonly windowMs: number;
  private readonly sliceMs: number;
  private readonly reserve: number;
  private readonly requestSlices = new Float64Array(SLICES);
  private readonly retrySlices = new Float64Array(SLICES);
  private requestTotal = 0;
  private retryTotal = 0;
  /** Index of the slice that holds `currentSliceStart`. */
  private current = 0;
  private currentSliceStart = Number.NEGATIVE_INFINITY;
  private readonly now: () => number;

  constructor(options: RetryBudgetOptions = {}, now: () => number = monotonicNow) {
    this.ratio = budgetNumber('ratio', options.ratio, 0.2);
    this.minPerSecond = budgetNumber('minPerSecond', options.minPerSecond, 10);
    this.windowMs = budgetNumber('windowMs', options.windowMs, 10_000);
    if (this.windowMs === 0)
      throw new TypeError('Expected `retryBudget.windowMs` to be a positive finite number, got 0');
    for (const key of Object.keys(options)) {
      if (key !== 'ratio' && key !== 'minPerSecond' && key !== 'windowMs') {
        throw new TypeError(`Unknown option \`retryBudget.${key}\` (known: ratio, minPerSecond, windowMs)`);
      }
    }
    this.sliceMs = this.windowMs / SLICES;
    this.reserve = (this.minPerSecond * this.windowMs) / 1000;
    this.now = now;
  }

  /** Counts one logical request (not an attempt). */
  recordRequest(): void {
    this.advance(this.now());
    this.requestSlices[this.current]! += 1;
    this.requestTotal += 1;
  }

  /** Takes one retry from the budget; `false` when the window has none left. */
  tryAcquireRetry(): boolean {
    this.advance(this.now());
    if (this.retryTotal >= this.reserve + this.ratio * this.requestTotal) return false;
    this.retrySlices[this.current]! += 1;
    this.retryTotal += 1;
    return true;
  }

  snapshot(): RetryBudgetSnapshot {
    this.advance(this.now());
    return {
      requests: this.requestTotal,
      retries: this.retryTotal,
      allowance: this.reserve + this.ratio * this.requestTotal,
    };
  }

  private advance(now: number): void {
    const elapsedSlices = Math.floor((now - this.currentSliceStart) / this.sliceMs);
    if (elapsedSlices <= 0) return;
    if (elapsedSlices >= SLICES) {
      this.requestSlices.fill(0);
      this.retrySlices.fill(0);
      this.requestTotal = 0;
      this.retryTotal = 0;
      this.currentSliceStart = now - (now % this.sliceMs);
      return;
    }
    for (let step = 0; step < elapsedSlices; step++) {
      this.current = (this.current + 1) % SLICES;
      this.requestTotal -= this.requestSlices[this.current]!;
      this.retryTotal -= this.retrySlices[this.current]!;
      this.requestSlices[this.current] = 0;
      this.retrySlices[this.current] = 0;
    }
    this.currentSliceStart += elapsedSlices * this.sliceMs;
  }
}

function budgetNumber(name: string, value: unknown, fallback: number): number {
  if (value === undefined) return fallback;
  if (typeof value !== 'number' || !Number.isFinite(value) || value < 0) {
    throw new TypeError(
      `Expected \`retryBudget.${name}\` to be a non-negative finite number, got ${String(value)}`,
    );
  }
  return value;
}

/** Makes a retry budget that several instances can share through `retryBudget`. */
export function createRetryBudget(options?: RetryBudgetOptions): RetryBudget {
  return new RetryBudget(options);
}
