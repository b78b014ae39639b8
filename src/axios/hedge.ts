import axios, { AxiosHeaders, isCancel, type AxiosAdapter, type AxiosError, type AxiosResponse } from 'axios';
import { monotonicNow } from '../guards/clock.js';
import type { LatencySummary } from '../guards/latency-summary.js';
import type { ResolvedHedge } from '../options.js';
import { classify } from '../policy/classify.js';
import { PASS, type BreakerGuard, type PacerGuard } from '../store/types.js';
import type { AttemptState } from './attempt-state.js';
import { recordAnswer, recordFailure, type GuardSlot } from './attempt-guards.js';
import type { PluginCore, StatefulConfig } from './boundary.js';
import { attachCopyAbort, settleCopyAbort, type CopyAbort } from './copy-signal.js';
import { failureFacts } from './failure.js';
import type { HedgeClock, HedgeTimer } from './hedge-clock.js';

/** What a race asks of its plugin: the shared clock and its scope's guards, looked up when needed. */
export interface HedgeContext {
  readonly core: PluginCore;
  readonly clock: HedgeClock;
  breaker(state: AttemptState): BreakerGuard | undefined;
  pacer(state: AttemptState): PacerGuard | undefined;
  /** The scope's latency summary, when `delayMs` is `'auto'`. */
  latency(state: AttemptState): LatencySummary | undefined;
}

let capturedResolve: ((value: AxiosResponse) => void) | undefined;
let capturedReject: ((error: unknown) => void) | undefined;

function captureSettlers(resolve: (value: AxiosResponse) => void, reject: (error: unknown) => void): void {
  capturedResolve = resolve;
  capturedReject = reject;
}

/** One copy of the request in flight: its own config, abort and guard slot. */
class Copy implements GuardSlot {
  /** Aborted by the race (it lost), not by the caller. */
  lost = false;
  done = false;
  readonly sentAt = monotonicNow();

  constructor(
    readonly race: HedgeRace,
    readonly config: StatefulConfig,
    readonly abort: CopyAbort,
    public breaker: BreakerGuard | undefined,
    public probe: boolean,
    public pacer: PacerGuard | undefined,
  ) {}

  readonly answered = (response: AxiosResponse): void => this.race.onAnswer(this, response);
  readonly failed = (error: unknown): void => this.race.onFailure(this, error);
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
export class HedgeRace implements HedgeTimer {
  dueAt = 0;
  slot = -1;
  private readonly copies: Copy[] = [];
  private readonly callerSignal: AbortSignal | undefined;
  private finished = false;
  private resolve!: (response: AxiosResponse) => void;
  private reject!: (error: unknown) => void;
  /** Made only when the caller gave a signal. */
  private onCallerAbort: (() => void) | undefined;

  constructor(
    private readonly context: HedgeContext,
    private readonly state: AttemptState,
    private readonly config: StatefulConfig,
    private readonly inner: AxiosAdapter,
    private readonly hedge: ResolvedHedge,
  ) {
    this.callerSignal = (config.signal as AbortSignal | undefined) ?? undefined;
  }

  /**
   * Sends the first copy, whose guard slot is the attempt state's, and schedules the next. The
   * promise settles with the race's outcome, after `answered` ran on the winning answer.
   */
  run(answered: (response: AxiosResponse) => AxiosResponse): Promise<AxiosResponse> {
    // The executor runs at once: a shared one hands over the settling functions (no closure per race).
    const promise = new Promise<AxiosResponse>(captureSettlers);
    this.resolve = capturedResolve as (response: AxiosResponse) => void;
    this.reject = capturedReject as (error: unknown) => void;
    const state = this.state;
    const caller = this.callerSignal;
    if (caller !== undefined && typeof caller.addEventListener === 'function') {
      this.onCallerAbort = () => {
        for (const copy of this.copies) copy.abort.abort(caller.reason);
      };
      caller.addEventListener('abort', this.onCallerAbort);
    }
    this.onWin = answered;
    this.send(this.config, state.breaker, state.probe, state.pacer);
    state.breaker = undefined;
    state.probe = false;
    state.pacer = undefined;
    this.schedule();
    return promise;
  }

  private onWin!: (response: AxiosResponse) => AxiosResponse;

  private schedule(): void {
    if (this.finished || this.state.hedges >= this.hedge.maxHedges) return;
    let delayMs = this.hedge.delayMs;
    if (delayMs === 'auto') {
      const p95 = this.context.latency(this.state)?.quantile(0.95);
      if (p95 === undefined) return;
      delayMs = p95;
    }
    // Due `delayMs` after the latest copy was sent (its clock read serves here too).
    this.dueAt = (this.copies[this.copies.length - 1] as Copy).sentAt + delayMs;
    this.context.clock.schedule(this);
  }

  /** The hedge delay passed with no answer: a copy, if the budget grants one. */
  due(): void {
    if (this.finished) return;
    const budget = this.state.options.retryBudget;
    const grant = budget ? budget.tryAcquireRetry() : true;
    if (grant === true) this.sendCopy();
    else if (grant !== false) void grant.then((granted) => granted && !this.finished && this.sendCopy());
  }

  /** A copy, if the circuit is closed, the scope not paced, and the deadline not passed. */
  private sendCopy(): void {
    const state = this.state;
    const context = this.context;
    const breaker = context.breaker(state);
    // Only a closed circuit takes copies: a half-open one's probes are for real attempts.
    if (breaker !== undefined && (breaker.state() !== 'closed' || breaker.tryAcquire() !== PASS)) return;
    const pacer = context.pacer(state);
    if (pacer !== undefined && pacer.acquire() > 0) return;
    const config: StatefulConfig = {
      ...this.config,
      headers: AxiosHeaders.from(this.config.headers),
      fetchOptions: copyFetchOptions(this.config.fetchOptions),
    };
    if (state.deadlineAt !== undefined) {
      const left = Math.ceil(state.deadlineAt - monotonicNow());
      if (left <= 0) {
        pacer?.settle();
        return;
      }
      const timeout = config.timeout ?? 0;
      config.timeout = timeout > 0 ? Math.min(timeout, left) : left;
    }
    state.hedges += 1;
    state.attempts += 1;
    const counters = context.core.counters;
    counters.hedges += 1;
    counters.attempts += 1;
    const delayMs = Math.round(monotonicNow() - (this.copies[0] as Copy).sentAt);
    state.options.logger?.info(
      `axios-resilience: hedging ${(config.method ?? 'get').toUpperCase()} ${config.url ?? ''} (copy ${state.hedges}/${this.hedge.maxHedges}) after ${delayMs} ms without an answer`,
    );
    state.telemetry?.hedge({ hedges: state.hedges, delayMs });
    this.send(config, breaker, false, pacer, copyAdapter(this.inner));
    this.schedule();
  }

  private send(
    config: StatefulConfig,
    breaker: BreakerGuard | undefined,
    probe: boolean,
    pacer: PacerGuard | undefined,
    inner: AxiosAdapter = this.inner,
  ): void {
    const abort = attachCopyAbort(config, inner, this.callerSignal);
    if (this.callerSignal?.aborted) abort.abort(this.callerSignal.reason);
    const copy = new Copy(this, config, abort, breaker, probe, pacer);
    this.copies.push(copy);
    const telemetry = this.state.telemetry;
    let sent: Promise<AxiosResponse>;
    try {
      sent = telemetry ? telemetry.runAttempt(() => inner(config)) : inner(config);
    } catch (thrown) {
      sent = Promise.reject(thrown);
    }
    sent.then(copy.answered, copy.failed);
  }

  onAnswer(copy: Copy, response: AxiosResponse): void {
    copy.done = true;
    this.observeLatency(copy);
    recordAnswer(copy, response);
    if (this.finished) return;
    this.finish(copy, true);
    this.resolve(this.onWin(response));
  }

  onFailure(copy: Copy, error: unknown): void {
    copy.done = true;
    if ((error as Partial<AxiosError> | null)?.response !== undefined) this.observeLatency(copy);
    recordFailure(copy, error, this.state.options.respectRetryAfter);
    if (this.finished || copy.lost) return;
    if (!this.isRetryable(error, copy.config)) {
      this.finish(copy, true);
      this.reject(error);
      return;
    }
    if (this.copies.some((other) => !other.done)) return;
    // Every copy failed: the retry loop decides, on the last failure, as for a single attempt.
    this.finish(copy, false);
    this.reject(error);
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
    this.context.latency(this.state)?.add(monotonicNow() - copy.sentAt);
  }

  /** The race has its outcome: no more copies, the others aborted, the caller's signal restored. */
  private finish(winner: Copy, won: boolean): void {
    this.finished = true;
    this.context.clock.cancel(this);
    const caller = this.callerSignal;
    if (this.onCallerAbort !== undefined) caller?.removeEventListener('abort', this.onCallerAbort);
    for (const copy of this.copies) {
      if (copy !== winner && !copy.done) {
        copy.lost = true;
        copy.abort.abort();
      }
      // The config the response and the retry loop carry is the caller's, signal included.
      settleCopyAbort(copy.config, copy.abort, caller);
    }
    // A call whose outcome came from a copy (a failure of every copy is no one's win).
    if (won && winner !== this.copies[0]) this.context.core.counters.hedgeWins += 1;
  }
}

/**
 * A browser's HTTP cache holds a second GET of a URL until the first one's answer is in (Chromium
 * waits up to 20 s): a copy must not touch the cache, or it would wait for the very request it
 * is racing. The `fetch` adapter's copies go around it (unless the caller chose a cache mode);
 * XHR cannot, so the `xhr` adapter's copies are sent by the `fetch` adapter where there is one.
 */
function copyFetchOptions(
  given: StatefulConfig['fetchOptions'],
): NonNullable<StatefulConfig['fetchOptions']> {
  const options = (given ?? {}) as Record<string, unknown>;
  return options.cache === undefined ? { ...options, cache: 'no-store' } : options;
}

function copyAdapter(inner: AxiosAdapter): AxiosAdapter {
  if ((inner as { adapterName?: unknown }).adapterName !== 'xhr') return inner;
  try {
    return axios.getAdapter('fetch');
  } catch {
    return inner;
  }
}
