import { MAX_TIMER_MS } from '../options.js';
import type { JitterMode } from '../types.js';

/** What the delay maths needs; a subset of the resolved options. */
export interface BackoffPolicy {
  readonly baseDelayMs: number;
  readonly maxDelayMs: number;
  readonly jitter: JitterMode;
}

/**
 * The wait before retry `retryIndex` (0-based): `baseDelayMs * 2**retryIndex`, randomised by the
 * jitter mode and capped at `maxDelayMs` and the timer limit. Always finite, in `[0, cap]`.
 *
 * @param previousDelayMs the last wait taken (for `'decorrelated'`), or 0 before the first
 * @param random a source of numbers in [0, 1), `Math.random` in production
 */
export function computeBackoff(
  retryIndex: number,
  policy: BackoffPolicy,
  previousDelayMs: number,
  random: () => number,
): number {
  const cap = Math.min(policy.maxDelayMs, MAX_TIMER_MS);
  const base = Math.min(policy.baseDelayMs, cap);
  // Capping before jitter keeps 'full' and 'equal' uniform over [0, cap] once the exponent
  // outgrows the cap (AWS "Exponential Backoff and Jitter", 2015), and avoids Infinity * 0.
  const exponential = Math.min(base * 2 ** retryIndex, cap);
  const jitter = policy.jitter;
  let delay: number;
  if (typeof jitter === 'number') delay = exponential + random() * exponential * jitter;
  else if (jitter === 'full') delay = random() * exponential;
  else if (jitter === 'equal') delay = exponential / 2 + (random() * exponential) / 2;
  else if (jitter === 'decorrelated') {
    const upper = Math.max(base, Math.min(previousDelayMs > 0 ? previousDelayMs * 3 : base * 3, cap));
    delay = base + random() * (upper - base);
  } else delay = exponential;
  return clampDelay(delay, cap);
}

/** Any wait made safe for `setTimeout`: finite, non-negative, at most `cap` (and 2^31-1). */
export function clampDelay(delayMs: number, cap: number = MAX_TIMER_MS): number {
  if (!(delayMs > 0)) return 0;
  // Rounding must never lift a wait above a fractional cap.
  return Math.min(Math.round(delayMs), Math.floor(Math.min(cap, MAX_TIMER_MS)));
}
