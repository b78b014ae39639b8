import { monotonicNow } from './clock.js';
import { SlidingCounts } from './sliding-counts.js';

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
  /** The bound on retries in the window: `minPerSecond · windowMs/1000 + ratio · requests`. */
  allowance: number;
  /** Retries that would be granted now, if no request came in: `max(0, ⌈allowance − retries⌉)`. */
  remaining: number;
}

const OPTION_NAMES: ReadonlySet<string> = new Set(['ratio', 'minPerSecond', 'windowMs']);

/** Marks a budget made by any copy of this package, so two installed copies can share one. */
const BUDGET_BRAND = Symbol.for('axios-resilience.RetryBudget');

/** True for a budget from `createRetryBudget()` of any copy of this package. */
export function isRetryBudget(value: unknown): value is RetryBudget {
  return (
    typeof value === 'object' && value !== null && (value as Record<symbol, unknown>)[BUDGET_BRAND] === true
  );
}

/**
 * A retry budget, after Finagle's: a retry is granted only while the retries already
 * granted in the window are fewer than `minPerSecond · windowMs/1000 + ratio · requests`, where
 * `requests` counts logical requests (not attempts) in the same window.
 *
 * The window is ten slices of `windowMs / 10`, aligned on multiples of the slice length; it covers
 * the current slice and the nine before it, so it slides in steps and spans between 0.9 and 1 ×
 * `windowMs`. What is promised, exactly: every grant happens when the retries counted in those ten
 * slices are below the allowance computed from the requests counted in the same ten slices.
 * Consequences for a true sliding window, at any granted retry: the retries granted in the
 * `0.9 · windowMs` up to it (itself included) are fewer than `R + 1`, and those in the `windowMs` up
 * to it fewer than `2 · R' + 2`, where `R` is the formula over the requests of the `windowMs` up to
 * that retry and `R'` over those of the `2 · windowMs` up to it. A clock that goes backwards is
 * ignored (the window does not move).
 *
 * `recordRequest` and `tryAcquireRetry` are O(1) (amortised over the slices they pass) and the
 * memory is fixed, whatever the traffic. One budget per instance by default; pass the same budget
 * (from {@link createRetryBudget}) to several instances to share it.
 */
export class RetryBudget {
  readonly ratio: number;
  readonly minPerSecond: number;
  readonly windowMs: number;
  private readonly reserve: number;
  /** Requests (`first`) and retries granted (`second`) in the window. */
  private readonly counts: SlidingCounts;
  private readonly now: () => number;

  /**
   * @param now the clock, in milliseconds (monotonic by default); inject one to test
   * @throws TypeError when an option is not a non-negative finite number (`windowMs`: positive),
   *   or is unknown
   */
  constructor(options: RetryBudgetOptions = {}, now: () => number = monotonicNow) {
    if (options === null || typeof options !== 'object' || Array.isArray(options)) {
      throw new TypeError(`Expected \`retryBudget\` to be an object, got ${String(options)}`);
    }
    for (const key of Object.keys(options)) {
      if (!OPTION_NAMES.has(key)) {
        throw new TypeError(`Unknown option \`retryBudget.${key}\` (known: ratio, minPerSecond, windowMs)`);
      }
    }
    this.ratio = budgetNumber('ratio', options.ratio, 0.2);
    this.minPerSecond = budgetNumber('minPerSecond', options.minPerSecond, 10);
    this.windowMs = budgetNumber('windowMs', options.windowMs, 10_000);
    if (this.windowMs === 0) {
      throw new TypeError('Expected `retryBudget.windowMs` to be a positive finite number, got 0');
    }
    if (typeof now !== 'function') throw new TypeError('Expected the budget clock to be a function');
    this.counts = new SlidingCounts(this.windowMs);
    this.reserve = (this.minPerSecond * this.windowMs) / 1000;
    this.now = now;
  }

  /** Counts one logical request (not an attempt). */
  recordRequest(): void {
    this.counts.advance(this.now());
    this.counts.addFirst();
  }

  /** Takes one retry from the budget; `false` when the window has none left. */
  tryAcquireRetry(): boolean {
    this.counts.advance(this.now());
    if (this.counts.second >= this.allowance()) return false;
    this.counts.addSecond();
    return true;
  }

  /** The window's counts now, e.g. for a dashboard. */
  snapshot(): RetryBudgetSnapshot {
    this.counts.advance(this.now());
    const allowance = this.allowance();
    return {
      requests: this.counts.first,
      retries: this.counts.second,
      allowance,
      remaining: Math.max(0, Math.ceil(allowance - this.counts.second)),
    };
  }

  private allowance(): number {
    return this.reserve + this.ratio * this.counts.first;
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

/**
 * Makes a retry budget that several instances can share through `retryBudget`.
 *
 * @example
 * const budget = createRetryBudget({ ratio: 0.1 });
 * const users = createResilientAxios({ retryBudget: budget, axios: { baseURL: usersURL } });
 * const orders = createResilientAxios({ retryBudget: budget, axios: { baseURL: ordersURL } });
 */
export function createRetryBudget(options?: RetryBudgetOptions): RetryBudget {
  return new RetryBudget(options);
}
Object.defineProperty(RetryBudget.prototype, BUDGET_BRAND, { value: true });
