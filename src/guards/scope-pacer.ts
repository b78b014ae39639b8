import type { PacerGuard, PauseListener } from '../store/types.js';
import { monotonicNow } from './clock.js';

/** The longest wait a timer can take; a longer pause is cut to this. */
const MAX_WAIT_MS = 2 ** 31 - 1;

/**
 * The pause and the pacing window of one scope, in memory.
 *
 * - A pause (`pause(waitMs)`: a 429, or a 503 naming a wait) holds every attempt until it ends; a
 *   shorter pause never cuts a longer one short.
 * - A window (`observeQuota(remaining, resetMs)`: a response saying `remaining` units are left for
 *   `resetMs`) lets at most `remaining − inFlight` more attempts start before it ends, where
 *   `inFlight` counts the attempts already sent and not yet answered when the quota arrived: the
 *   server has not counted them yet, and they will spend the same units
 *   (draft-ietf-httpapi-ratelimit-headers-10 §7: a client SHOULD NOT exceed `r` before `t`).
 *   A newer observation replaces the window; when it ends, attempts go freely again.
 *
 * No timers: `acquire()` answers how long to wait, and the caller waits and asks again. Every method
 * is O(1) in fixed memory, and the path with no pause and no window allocates nothing.
 */
export class ScopePacer implements PacerGuard {
  private readonly listener: PauseListener;
  private readonly now: () => number;
  /** When the pause ends (a past time: not paused). */
  private pausedUntil = Number.NEGATIVE_INFINITY;
  /** When the window ends (a past time: no window). */
  private windowEnd = Number.NEGATIVE_INFINITY;
  /** Attempts the window still lets start. */
  private allowance = 0;
  /** Attempts let through by `acquire()` and not yet settled. */
  private inFlight = 0;

  /**
   * @param listener told the new pause length whenever a pause starts or is extended
   * @param now the clock, in milliseconds (monotonic by default); inject one to test
   * @throws TypeError when `listener` or `now` is not a function
   */
  constructor(listener: PauseListener, now: () => number = monotonicNow) {
    if (typeof listener !== 'function') throw new TypeError('Expected the pause listener to be a function');
    if (typeof now !== 'function') throw new TypeError('Expected the pacer clock to be a function');
    this.listener = listener;
    this.now = now;
  }

  acquire(): number {
    // Neither paused nor pacing (the usual case): no clock read.
    if (this.pausedUntil !== Number.NEGATIVE_INFINITY || this.windowEnd !== Number.NEGATIVE_INFINITY) {
      const now = this.now();
      if (now < this.pausedUntil) return waitUntil(this.pausedUntil, now);
      this.pausedUntil = Number.NEGATIVE_INFINITY;
      if (now < this.windowEnd) {
        if (this.allowance <= 0) return waitUntil(this.windowEnd, now);
        this.allowance -= 1;
      } else {
        this.windowEnd = Number.NEGATIVE_INFINITY;
      }
    }
    this.inFlight += 1;
    return 0;
  }

  pause(waitMs: number): void {
    if (!(waitMs > 0)) return;
    const now = this.now();
    const wait = Math.min(waitMs, MAX_WAIT_MS);
    if (now + wait <= this.pausedUntil) return;
    this.pausedUntil = now + wait;
    this.listener(wait);
  }

  observeQuota(remaining: number, resetMs: number): void {
    if (!(remaining >= 0) || !(resetMs >= 0)) return;
    this.windowEnd = this.now() + Math.min(resetMs, MAX_WAIT_MS);
    this.allowance = Math.max(0, Math.floor(remaining) - this.inFlight);
  }

  settle(): void {
    if (this.inFlight > 0) this.inFlight -= 1;
  }
}

/** At least 1 ms: an attempt told to wait must not be told 0, which means "send it". */
function waitUntil(end: number, now: number): number {
  return Math.max(1, Math.ceil(end - now));
}
