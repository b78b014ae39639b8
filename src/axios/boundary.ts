import { AxiosError, type AxiosAdapter, type AxiosInstance, type AxiosResponse } from 'axios';
import type { InternalAxiosRequestConfig } from 'axios';
import { monotonicNow } from '../guards/clock.js';
import type { LatencySummary } from '../guards/latency-summary.js';
import { normalizeOptions, type ResolvedHedge, type ResolvedOptions } from '../options.js';
import { CircuitOpenError, RateLimitedError } from '../errors.js';
import type { ResolvedCircuitBreaker } from '../guards/breaker-options.js';
import { headerValue } from '../policy/headers.js';
import { type BreakerGuard, type PacerGuard, type Permit, PROBE, REJECT } from '../store/types.js';
import type { ResilienceTelemetry } from '../telemetry/types.js';
import type { GiveUpReason } from '../types.js';
import {
  AttemptState,
  CAPTURE_KEY,
  type ResponseCapture,
  STATE_KEY,
  stateOf,
  type TraceHeaders,
} from './attempt-state.js';
import { recordAnswer, recordFailure, releaseSlot } from './attempt-guards.js';
import { hasHeader, isReplayableBody } from './failure.js';
import { HedgeRace, type HedgeContext } from './hedge.js';
import { HedgeClock } from './hedge-clock.js';
import { AttemptRequestInfo } from './request-info.js';
import { sleep } from './sleep.js';
import type { ResilienceStats } from './stats.js';

/** Set by the request interceptor when the body, as the caller gave it, cannot be sent twice. */
export const UNREPLAYABLE_KEY = '__axiosResilienceUnreplayable';

export type StatefulConfig = InternalAxiosRequestConfig & {
  [STATE_KEY]?: AttemptState;
  [UNREPLAYABLE_KEY]?: true;
  [CAPTURE_KEY]?: ResponseCapture;
};

/** What the boundary and the retry loop need of the plugin. */
export interface PluginCore {
  readonly instance: AxiosInstance;
  readonly options: ResolvedOptions;
  readonly counters: ResilienceStats;
  readonly detached: boolean;
  /** The telemetry sink, when one is given (or a diagnostics channel is subscribed). */
  readonly telemetry: ResilienceTelemetry | undefined;
  /**
   * Whether this attempt's answer reaches the plugin's response interceptor before any other:
   * the request came through the instance's own chain, and that chain has no other response
   * interceptor. The boundary then leaves the answer to it (no promise of its own per attempt).
   */
  answersInChain(config: StatefulConfig): boolean;
  settle(state: AttemptState, reason: GiveUpReason): void;
}

/** The per-scope guards the boundary asks (the plugin keeps one of each per scope). */
export interface ScopeGuards {
  scopeOf(config: StatefulConfig, options: ResolvedOptions): string;
  breaker(scope: string, settings: ResolvedCircuitBreaker): BreakerGuard;
  pacer(scope: string): PacerGuard;
  /** The scope's latency summary behind `hedge.delayMs: 'auto'`. */
  latency(scope: string): LatencySummary;
}

/**
 * The attempt boundary: the wrapped adapter, where an attempt is actually sent, after every
 * request interceptor has run. What must see the request exactly as it leaves lives here.
 */
export class AttemptBoundary {
  /** What hedge races ask of the plugin: one clock, and the guards of their scope. */
  private readonly hedging: HedgeContext;

  constructor(
    private readonly core: PluginCore,
    private readonly guards: ScopeGuards,
  ) {
    // A race asks for guards only once its scope is known: the gate (breaker, pacing) or
    // `dispatch` ('auto' delay) computed it.
    const scopeOf = (state: AttemptState): string => state.scope as string;
    this.hedging = {
      core,
      clock: new HedgeClock(monotonicNow),
      breaker: (state) => {
        const settings = state.options.circuitBreaker;
        return settings === false ? undefined : guards.breaker(scopeOf(state), settings);
      },
      pacer: (state) => (state.options.pacing ? guards.pacer(scopeOf(state)) : undefined),
      latency: (state) => {
        const hedge = state.options.hedge;
        return hedge !== false && hedge.delayMs === 'auto' ? guards.latency(scopeOf(state)) : undefined;
      },
    };
  }

  send(config: StatefulConfig, inner: AxiosAdapter): Promise<AxiosResponse> {
    const core = this.core;
    let state = this.liveState(config);
    const perRequest = config.resilience;
    if (perRequest === false) {
      // The app re-sent a call of ours outside the plugin (a 401 refresh): ours ended unretried.
      if (state !== undefined) core.settle(state, 'not-retryable');
      return inner(config);
    }
    if (state !== undefined) {
      if (state.retryPending) state.retryPending = false;
      else if (state.attempts > 0) {
        // Re-sent by the app (not by the retry loop) while ours was still open: a new call.
        core.settle(state, 'not-retryable');
        state = undefined;
      }
    }
    if (state === undefined) {
      try {
        state = this.begin(config, perRequest);
      } catch (invalid) {
        return Promise.reject(invalid);
      }
    }
    return this.gate(state, config, inner);
  }

  /** The checks at the boundary, in order: breaker, scope pause and pacing, deadline, key. */
  private gate(state: AttemptState, config: StatefulConfig, inner: AxiosAdapter): Promise<AxiosResponse> {
    const options = state.options;
    if (options.circuitBreaker !== false || options.pacing) {
      const scope = (state.scope ??= this.guards.scopeOf(config, options));
      if (options.circuitBreaker !== false) {
        const breaker = this.guards.breaker(scope, options.circuitBreaker);
        const permit = breaker.tryAcquire();
        if (typeof permit !== 'number') {
          return permit.then((granted) => this.afterPermit(state, config, inner, breaker, granted));
        }
        if (permit === REJECT) return this.refuseOpenCircuit(state, config, breaker);
        state.breaker = breaker;
        state.probe = permit === PROBE;
      }
      if (options.pacing) return this.pace(state, config, inner);
    }
    return this.leave(state, config, inner);
  }

  private afterPermit(
    state: AttemptState,
    config: StatefulConfig,
    inner: AxiosAdapter,
    breaker: BreakerGuard,
    permit: Permit,
  ): Promise<AxiosResponse> {
    if (permit === REJECT) return this.refuseOpenCircuit(state, config, breaker);
    state.breaker = breaker;
    state.probe = permit === PROBE;
    return state.options.pacing ? this.pace(state, config, inner) : this.leave(state, config, inner);
  }

  private pace(state: AttemptState, config: StatefulConfig, inner: AxiosAdapter): Promise<AxiosResponse> {
    const pacer = this.guards.pacer(state.scope as string);
    const waitMs = pacer.acquire();
    if (waitMs > 0) return this.waitForScope(state, config, inner, waitMs);
    state.pacer = pacer;
    return this.leave(state, config, inner);
  }

  /** The scope is paused or its pacing window is spent: wait (cancellable), then pass the gate again. */
  private async waitForScope(
    state: AttemptState,
    config: StatefulConfig,
    inner: AxiosAdapter,
    waitMs: number,
  ): Promise<AxiosResponse> {
    releaseSlot(state);
    const options = state.options;
    const scope = state.scope as string;
    if (waitMs > (options.maxRetryAfterMs ?? options.maxDelayMs)) {
      return this.refuse(state, 'retry-after-too-long', new RateLimitedError(config, scope, waitMs));
    }
    if (state.deadlineAt !== undefined && monotonicNow() + waitMs >= state.deadlineAt) {
      return this.refuse(state, 'deadline', new RateLimitedError(config, scope, waitMs));
    }
    if (!state.paced) {
      state.paced = true;
      this.core.counters.pacedAttempts += 1;
      state.telemetry?.pause({ scope, waitMs });
    }
    try {
      await sleep(waitMs, config);
    } catch (canceled) {
      return this.refuse(state, 'canceled', canceled);
    }
    return this.gate(state, config, inner);
  }

  /** Past the gate: the deadline's timeout and the pinned key, then the attempt is sent. */
  private leave(state: AttemptState, config: StatefulConfig, inner: AxiosAdapter): Promise<AxiosResponse> {
    if (state.paced) state.paced = false;
    if (state.deadlineAt !== undefined) {
      const left = Math.ceil(state.deadlineAt - monotonicNow());
      if (left <= 0) {
        releaseSlot(state);
        const late = new AxiosError(
          'axios-resilience: not sent, the deadline passed',
          'ERR_NOT_SENT',
          config,
        );
        return this.refuse(state, 'deadline', late);
      }
      // Here, after every interceptor: none can stretch an attempt past the deadline.
      const timeout = config.timeout ?? 0;
      config.timeout = timeout > 0 ? Math.min(timeout, left) : left;
    }
    if (state.attempts === 0) {
      if (state.telemetry !== undefined) state.traceHeaders = traceHeadersOf(config);
      if (!isSafeMethod(config.method)) {
        state.idempotencyKey = headerValue(config.headers, 'idempotency-key');
      }
    } else if (state.idempotencyKey !== undefined) {
      // An interceptor that stamps a fresh key on every request must not turn a retry into a new order.
      config.headers.set('Idempotency-Key', state.idempotencyKey);
    }
    return this.dispatch(state, config, inner);
  }

  /** Our open state on this config, if any. */
  private liveState(config: StatefulConfig): AttemptState | undefined {
    const state = stateOf(config);
    return state !== undefined && state.owner === this.core && state.endedAt === undefined
      ? state
      : undefined;
  }

  private begin(config: StatefulConfig, perRequest: StatefulConfig['resilience']): AttemptState {
    const core = this.core;
    // Throws the option's TypeError, which rejects this request before anything is sent or counted.
    const options = perRequest === undefined ? core.options : normalizeOptions(perRequest, core.options);
    if (options.idempotencyKey && isKeyedMethod(config.method))
      addIdempotencyKey(config, options.idempotencyKey);
    const state = new AttemptState(core, options, monotonicNow());
    const sink = core.telemetry;
    if (sink !== undefined && sink.observes?.() !== false) {
      // The scope is computed only if the sink reads it: a custom scope that throws then rejects
      // the request here, before it is counted.
      const scopeOf = (): string => (state.scope ??= this.guards.scopeOf(config, options));
      state.telemetry = sink.startRequest(new AttemptRequestInfo(config, scopeOf));
    }
    if (config[UNREPLAYABLE_KEY] === true || !isReplayableBody(config.data)) state.bodyReplayable = false;
    config[STATE_KEY] = state;
    core.counters.requests += 1;
    return state;
  }

  private refuseOpenCircuit(
    state: AttemptState,
    config: StatefulConfig,
    breaker: BreakerGuard,
  ): Promise<never> {
    this.core.counters.circuitRejections += 1;
    const error = new CircuitOpenError(config, state.scope as string, breaker.retryAfterMs());
    return this.refuse(state, 'circuit-open', error);
  }

  private dispatch(state: AttemptState, config: StatefulConfig, inner: AxiosAdapter): Promise<AxiosResponse> {
    const counters = this.core.counters;
    // Only a call that is really sent feeds the budget's request count.
    if (state.attempts === 0 && !state.continuation) {
      const budget = state.options.retryBudget;
      if (budget) budget.recordRequest();
    }
    state.attempts += 1;
    counters.attempts += 1;
    if (state.attempts > 1) state.retries += 1;
    if (state.attempts > 1 || state.continuation) counters.retries += 1;
    const hedge = state.options.hedge;
    if (hedge !== false && isHedgeable(state, config, hedge)) {
      if (hedge.delayMs === 'auto') state.scope ??= this.guards.scopeOf(config, state.options);
      // The race records each copy's outcome with its guards itself: nothing is left for onFailure.
      return new HedgeRace(this.hedging, state, config, inner, hedge).run(this.onAnswer);
    }
    const telemetry = state.telemetry;
    const deferred = this.core.answersInChain(config) && config[CAPTURE_KEY] === undefined;
    // Set before sending: an adapter that throws at once still reaches the interceptor's handler.
    if (deferred) state.answerPending = true;
    const sent = telemetry ? telemetry.runAttempt(() => inner(config)) : inner(config);
    return deferred ? sent : sent.then(this.onAnswer, this.onFailure);
  }

  /**
   * The plugin's response interceptor, given an answer when the boundary left it the attempt's
   * outcome (`answersInChain`): it records it as `onAnswer` would have, then passes it on.
   */
  readonly answered = (response: AxiosResponse): AxiosResponse => {
    const state = stateOf((response as Partial<AxiosResponse> | undefined)?.config);
    if (state !== undefined && state.answerPending) {
      state.answerPending = false;
      this.answer(state, response);
    }
    return response;
  };

  /** The same for an attempt that failed: its guards learn of it before the retry decision. */
  failed(state: AttemptState, error: unknown): void {
    if (!state.answerPending) return;
    state.answerPending = false;
    recordFailure(state, error, state.options.respectRetryAfter);
  }

  /** An attempt the adapter answered with an accepted status: the call is a success. */
  private readonly onAnswer = (response: AxiosResponse): AxiosResponse => {
    const config = (response as Partial<AxiosResponse> | undefined)?.config as StatefulConfig | undefined;
    const capture = config?.[CAPTURE_KEY];
    if (capture !== undefined) capture.response = response;
    const state = stateOf(config);
    if (state !== undefined) this.answer(state, response);
    return response;
  };

  private answer(state: AttemptState, response: AxiosResponse): void {
    recordAnswer(state, response);
    if (state.endedAt === undefined) {
      state.endedAt = monotonicNow();
      if (!state.continuation) this.core.counters.successes += 1;
      state.telemetry?.end({
        response,
        attempts: state.attempts,
        retries: state.retries,
        hedges: state.hedges,
      });
    }
  }

  /** An attempt that failed: the breaker and the scope's pacing learn of it, then the retry loop. */
  private readonly onFailure = (error: unknown): never => {
    const state = stateOf((error as Partial<AxiosError> | null | undefined)?.config);
    if (state !== undefined) recordFailure(state, error, state.options.respectRetryAfter);
    throw error;
  };

  /**
   * The attempt is not sent. The retry loop gives up with `reason` and `error` (a first attempt,
   * or a cancel), else with the call's last real error.
   */
  private refuse(state: AttemptState, reason: GiveUpReason, error: unknown): Promise<never> {
    state.refusal = reason;
    return Promise.reject(error);
  }
}

/** The trace context the caller's first attempt carried, before any instrumentation wrote its own. */
function traceHeadersOf(config: StatefulConfig): TraceHeaders {
  return {
    traceparent: headerValue(config.headers, 'traceparent'),
    tracestate: headerValue(config.headers, 'tracestate'),
  };
}

/** Never hedged: methods outside `hedge.methods`, bodies that cannot be replayed, streams, resumes. */
function isHedgeable(state: AttemptState, config: StatefulConfig, hedge: ResolvedHedge): boolean {
  return (
    hedge.methods.has(upperMethod(config.method)) &&
    state.bodyReplayable &&
    !state.continuation &&
    config[CAPTURE_KEY] === undefined &&
    config.responseType !== 'stream' &&
    isReplayableBody(config.data)
  );
}

function upperMethod(method: string | undefined): string {
  return method === undefined || method === 'get' ? 'GET' : method.toUpperCase();
}

/** Methods whose retries cannot duplicate a side effect, so their key need not be pinned. */
function isSafeMethod(method: string | undefined): boolean {
  return method === undefined || method === 'get' || method === 'head' || method === 'options';
}

function isKeyedMethod(method: string | undefined): boolean {
  return method === 'post' || method === 'patch';
}

function addIdempotencyKey(
  config: StatefulConfig,
  makeKey: (config: InternalAxiosRequestConfig) => string,
): void {
  if (hasHeader(config.headers, 'idempotency-key')) return;
  const key = makeKey(config);
  if (typeof key !== 'string' || key === '') {
    throw new TypeError(`Expected \`idempotencyKey\` to return a non-empty string, got ${typeof key}`);
  }
  config.headers.set('Idempotency-Key', key);
}
