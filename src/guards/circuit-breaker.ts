import {
  PASS,
  PROBE,
  REJECT,
  type BreakerGuard,
  type BreakerSettings,
  type CircuitListener,
  type CircuitState,
  type Permit,
} from '../store/types.js';
import { monotonicNow } from './clock.js';
import { SlidingCounts } from './sliding-counts.js';

/**
 * The in-memory circuit breaker of one scope.
 *
 * Closed: every attempt passes; outcomes are counted in a sliding window of `samplingDurationMs`,
 * ten slices aligned on multiples of `samplingDurationMs / 10` (the current slice and the nine
 * before it, as in the retry budget). After each outcome, the circuit opens when the window holds
 * at least `minimumThroughput` attempts and `failures / attempts ≥ failureRatio`.
 *
 * Open: every attempt is rejected until the break is over (`breakDurationMs` at first). The break
 * is checked when the breaker is asked (`state`, `tryAcquire`, `retryAfterMs`): no timers.
 *
 * Half-open: at most `halfOpenProbes` trial attempts are in flight at once. A failed probe re-opens
 * the circuit with the break doubled (up to `maxBreakDurationMs`); `halfOpenProbes` successful
 * probes close it, with a fresh window and the break back at `breakDurationMs`.
 *
 * Rules of use, which the plugin keeps: every `PROBE` answer is matched by exactly one
 * `record(…, true)` or `release(true)`; outcomes of attempts that passed while closed are recorded
 * with `probe = false`, and count only while the circuit is still closed (attempts in flight when
 * it opened do not move it). Probes carry no period: a probe still in flight when its half-open
 * period ended keeps its slot; its outcome counts in the half-open period it ends in, if any, and
 * otherwise (open, or closed again) only frees the slot.
 *
 * Time: a clock that goes backwards (or answers NaN) stands still for the breaker; an idle period
 * of any length is caught up in one step. Closed, `tryAcquire()` and `record()` allocate nothing
 * and are O(1).
 */
export class CircuitBreaker implements BreakerGuard {
  private readonly settings: BreakerSettings;
  private readonly listener: CircuitListener;
  private readonly now: () => number;
  /** Attempts (`first`) and failures (`second`) while closed, in the sampling window. */
  private readonly window: SlidingCounts;
  /** The latest time the clock gave: the breaker's own, never decreasing, time. */
  private latest = Number.NEGATIVE_INFINITY;
  private circuit: CircuitState = 'closed';
  /** The length of the current (or next) break. */
  private breakMs: number;
  private breakEndsAt = 0;
  /** Probes granted and not yet recorded or released, whatever half-open period granted them. */
  private probesInFlight = 0;
  /** Successful probes in the current half-open period. */
  private probeSuccesses = 0;

  /**
   * @param settings validated settings (see `normalizeCircuitBreaker`)
   * @param listener called once per transition, after the state has changed
   * @param now the clock, in milliseconds (monotonic by default); inject one to test
   */
  constructor(settings: BreakerSettings, listener: CircuitListener, now: () => number = monotonicNow) {
    this.settings = settings;
    this.listener = listener;
    this.now = now;
    this.window = new SlidingCounts(settings.samplingDurationMs);
    this.breakMs = settings.breakDurationMs;
  }

  state(): CircuitState {
    if (this.circuit === 'open') this.endBreakIfDue();
    return this.circuit;
  }

  tryAcquire(): Permit {
    if (this.circuit === 'closed') return PASS;
    if (this.circuit === 'open' && !this.endBreakIfDue()) return REJECT;
    if (this.probesInFlight >= this.settings.halfOpenProbes) return REJECT;
    this.probesInFlight += 1;
    return PROBE;
  }

  record(failed: boolean, probe: boolean): void {
    if (probe) {
      this.recordProbe(failed);
      return;
    }
    if (this.circuit !== 'closed') return;
    const window = this.window;
    window.advance(this.time());
    window.addFirst();
    if (failed) window.addSecond();
    const { minimumThroughput, failureRatio } = this.settings;
    if (window.first >= minimumThroughput && window.second / window.first >= failureRatio) {
      this.open(this.settings.breakDurationMs);
    }
  }

  release(probe: boolean): void {
    if (probe && this.probesInFlight > 0) this.probesInFlight -= 1;
  }

  /** Whole milliseconds, rounded up: waiting that long always finds the break over. */
  retryAfterMs(): number {
    if (this.circuit !== 'open' || this.endBreakIfDue()) return 0;
    return Math.ceil(this.breakEndsAt - this.latest);
  }

  private recordProbe(failed: boolean): void {
    if (this.probesInFlight > 0) this.probesInFlight -= 1;
    if (this.circuit !== 'half-open') return;
    if (failed) {
      this.open(Math.min(this.breakMs * 2, this.settings.maxBreakDurationMs));
      return;
    }
    this.probeSuccesses += 1;
    if (this.probeSuccesses >= this.settings.halfOpenProbes) this.close();
  }

  /** Open → half-open once the break is over; `true` when the circuit is half-open now. */
  private endBreakIfDue(): boolean {
    if (this.time() < this.breakEndsAt) return false;
    this.probeSuccesses = 0;
    this.transition('half-open');
    return true;
  }

  private open(breakMs: number): void {
    this.breakMs = breakMs;
    this.breakEndsAt = this.time() + breakMs;
    this.transition('open');
  }

  /** The next break, should it open again, is `breakDurationMs`: `open()` from closed sets it. */
  private close(): void {
    this.window.clear();
    this.transition('closed');
  }

  private transition(to: CircuitState): void {
    const from = this.circuit;
    this.circuit = to;
    this.listener(from, to);
  }

  private time(): number {
    const now = this.now();
    if (now > this.latest) this.latest = now;
    return this.latest;
  }
}
