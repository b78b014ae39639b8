import { AxiosHeaders, isCancel, type AxiosAdapter, type AxiosError, type AxiosResponse } from 'axios';
import { monotonicNow } from '../guards/clock.js';
import type { LatencySummary } from '../guards/latency-summary.js';
import type { ResolvedHedge } from '../options.js';
import { classify } from '../policy/classify.js';
import { PASS, type BreakerGuard, type PacerGuard } from '../store/types.js';
import type { AttemptState } from './attempt-state.js';
import { recordAnswer, recordFailure, type GuardSlot } from './attempt-guards.js';
import type { PluginCore, StatefulConfig } from './boundary.js';
import { failureFacts } from './failure.js';

/** What a race needs of its scope: the guards each copy passes, and the latency it feeds. */
export interface HedgeScope {
  readonly breaker: BreakerGuard | undefined;
  readonly pacer: PacerGuard | undefined;
  /** The scope's latency summary, when `delayMs` is `'auto'`. */
  readonly latency: LatencySummary | undefined;
}

/** One copy of the request in flight: its own config, abort controller and guard slot. */
interface Copy extends GuardSlot {
  readonly config: StatefulConfig;
  readonly controller: AbortController;
  readonly sentAt: number;
  /** Aborted by the race (it lost), not by the caller. */
  lost: boolean;
  done: boolean;
}

/**
 * A hedged attempt: the request is sent, and while no copy has answered, one more copy is sent
 * every `delayMs` (up to `maxHedges`). The first answer that is not a retryable failure wins and
 * is what the adapter returns, so every interceptor sees one outcome; the other copies are
 * aborted, which frees their sockets. When every copy fails, the last failure goes on to the
 * retry loop as a single attempt's would.
 *
 * Each copy is an attempt (counted in `attempts`, not in `retries`), takes a retry from the
 * budget (a refusal: no copy), and is sent only through a closed circuit and an unpaced scope.
 */
export class HedgeRace {
  private readonly copies: Copy[] = [];
  private readonly callerSignal: AbortSignal | undefined;
  private timer: ReturnType<typeof setTimeout> | undefined;
  private finished = false;
  private resolve!: (response: AxiosResponse) => void;
  private reject!: (error: unknown) => void;
  private lastFailure: unknown;

  constructor(
    private readonly core: PluginCore,
    private readonly state: AttemptState,
    private readonly config: StatefulConfig,
    private readonly inner: AxiosAdapter,
    private readonly hedge: ResolvedHedge,
    private readonly scope: HedgeScope,
  ) {
    this.callerSignal = (config.signal as AbortSignal | undefined) ?? undefined;
  }

  /** Sends the first copy, whose guard slot is the attempt state's, and arms the hedge timer. */
  run(): Promise<AxiosResponse> {
    return new Promise<AxiosResponse>((resolve, reject) => {
      this.resolve = resolve;
      this.reject = reject;
      const state = this.state;
      const first: GuardSlot = { breaker: state.breaker, probe: state.probe, pacer: state.pacer };
      state.breaker = undefined;
      state.probe = false;
      state.pacer = undefined;
      if (typeof this.callerSignal?.addEventListener === 'function') {
        this.callerSignal.addEventListener('abort', this.onCallerAbort);
      }
      this.send(this.config, first, false);
      this.arm();
    });
  }

  private arm(): void {
    if (this.finished || this.state.hedges >= this.hedge.maxHedges) return;
    const delayMs = this.delayMs();
    if (delayMs === undefined) return;
    this.timer = setTimeout(this.onTimer, delayMs);
  }

  private delayMs(): number | undefined {
    const delay = this.hedge.delayMs;
    if (delay !== 'auto') return delay;
    const p95 = this.scope.latency?.quantile(0.95);
    return p95 === undefined ? undefined : Math.ceil(p95);
  }

  private readonly onTimer = (): void => {
    this.timer = undefined;
    if (this.finished) return;
    const budget = this.state.options.retryBudget;
    const grant = budget ? budget.tryAcquireRetry() : true;
    if (grant === true) this.sendCopy();
    else if (grant !== false) void grant.then((granted) => granted && !this.finished && this.sendCopy());
  };

  /** A copy, if the circuit is closed, the scope not paced, and the deadline not passed. */
  private sendCopy(): void {
    const state = this.state;
    const slot: GuardSlot = { breaker: undefined, probe: false, pacer: undefined };
    const { breaker, pacer } = this.scope;
    if (breaker !== undefined) {
      // Only a closed circuit takes copies: a half-open one's probes are for real attempts.
      if (breaker.state() !== 'closed' || breaker.tryAcquire() !== PASS) return;
      slot.breaker = breaker;
    }
    if (pacer !== undefined) {
      if (pacer.acquire() > 0) {
        slot.breaker = undefined;
        return;
      }
      slot.pacer = pacer;
    }
    const copy: StatefulConfig = { ...this.config, headers: AxiosHeaders.from(this.config.headers) };
    if (state.deadlineAt !== undefined) {
      const left = Math.ceil(state.deadlineAt - monotonicNow());
      if (left <= 0) {
        pacer?.settle();
        return;
      }
      const timeout = copy.timeout ?? 0;
      copy.timeout = timeout > 0 ? Math.min(timeout, left) : left;
    }
    state.hedges += 1;
    this.core.counters.hedges += 1;
    const delayMs = Math.round(monotonicNow() - (this.copies[0]?.sentAt ?? 0));
    state.options.logger?.info(
      `axios-resilience: hedging ${(copy.method ?? 'get').toUpperCase()} ${copy.url ?? ''} (copy ${state.hedges}/${this.hedge.maxHedges}) after ${delayMs} ms without an answer`,
    );
    state.telemetry?.hedge({ hedges: state.hedges, delayMs });
    this.send(copy, slot, true);
    this.arm();
  }

  /** Sends one copy; the first was counted by the boundary already. */
  private send(config: StatefulConfig, slot: GuardSlot, extra: boolean): void {
    const controller = new AbortController();
    if (this.callerSignal?.aborted) controller.abort(this.callerSignal.reason);
    config.signal = controller.signal;
    const copy: Copy = {
      ...slot,
      config,
      controller,
      sentAt: monotonicNow(),
      lost: false,
      done: false,
    };
    this.copies.push(copy);
    const state = this.state;
    if (extra) {
      state.attempts += 1;
      this.core.counters.attempts += 1;
    }
    const inner = this.inner;
    const telemetry = state.telemetry;
    let sent: Promise<AxiosResponse>;
    try {
      sent = telemetry ? telemetry.runAttempt(() => inner(config)) : inner(config);
    } catch (thrown) {
      sent = Promise.reject(thrown);
    }
    sent.then(
      (response) => this.onAnswer(copy, response),
      (error: unknown) => this.onFailure(copy, error),
    );
  }

  private onAnswer(copy: Copy, response: AxiosResponse): void {
    copy.done = true;
    this.observeLatency(copy);
    recordAnswer(copy, response);
    if (this.finished) return;
    this.finish(copy, true);
    this.resolve(response);
  }

  private onFailure(copy: Copy, error: unknown): void {
    copy.done = true;
    if ((error as Partial<AxiosError> | null)?.response !== undefined) this.observeLatency(copy);
    recordFailure(copy, error, this.state.options.respectRetryAfter);
    if (this.finished || copy.lost) return;
    if (!this.isRetryable(error, copy.config)) {
      this.finish(copy, true);
      this.reject(error);
      return;
    }
    this.lastFailure = error;
    if (this.copies.some((other) => !other.done)) return;
    // Every copy failed, and more may come only after an answer would have: the retry loop decides.
    this.finish(copy, false);
    this.reject(this.lastFailure);
  }

  /** The default policy decides what is worth waiting on (a caller's `shouldRetry` runs later). */
  private isRetryable(error: unknown, config: StatefulConfig): boolean {
    if (isCancel(error)) return false;
    const failed = error as AxiosError;
    if (failed.config === undefined) return false;
    const facts = failureFacts(failed, config, this.state.bodyReplayable, false);
    return classify(facts, this.state.options).retry;
  }

  private observeLatency(copy: Copy): void {
    this.scope.latency?.add(monotonicNow() - copy.sentAt);
  }

  /** The race has its outcome: the timer stops, the other copies are aborted, signals restored. */
  private finish(winner: Copy, won: boolean): void {
    this.finished = true;
    if (this.timer !== undefined) clearTimeout(this.timer);
    this.timer = undefined;
    if (typeof this.callerSignal?.removeEventListener === 'function') {
      this.callerSignal.removeEventListener('abort', this.onCallerAbort);
    }
    for (const copy of this.copies) {
      if (copy !== winner && !copy.done) {
        copy.lost = true;
        copy.controller.abort();
      }
      // The caller's config, as the caller gave it, is what the response and the retry loop carry.
      if (this.callerSignal === undefined) delete copy.config.signal;
      else copy.config.signal = this.callerSignal;
    }
    // A call whose outcome came from a copy (a failure of every copy is no one's win).
    if (won && winner !== this.copies[0]) this.core.counters.hedgeWins += 1;
  }

  private readonly onCallerAbort = (): void => {
    for (const copy of this.copies) copy.controller.abort(this.callerSignal?.reason);
  };
}
