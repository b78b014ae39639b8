import { AxiosError, type AxiosAdapter, type AxiosInstance, type AxiosResponse } from 'axios';
import type { InternalAxiosRequestConfig } from 'axios';
import { monotonicNow } from '../guards/clock.js';
import { normalizeOptions, type ResolvedOptions } from '../options.js';
import { headerValue } from '../policy/headers.js';
import type { GiveUpReason } from '../types.js';
import { AttemptState, CAPTURE_KEY, type ResponseCapture, STATE_KEY, stateOf } from './attempt-state.js';
import { hasHeader, isReplayableBody } from './failure.js';
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
  settle(state: AttemptState, reason: GiveUpReason): void;
}

/** Methods whose retries cannot duplicate a side effect, so their key need not be pinned. */
const SAFE_METHODS: ReadonlySet<string> = new Set(['get', 'head', 'options']);

/**
 * The attempt boundary: the wrapped adapter, where an attempt is actually sent, after every
 * request interceptor has run. What must see the request exactly as it leaves lives here.
 */
export class AttemptBoundary {
  constructor(private readonly core: PluginCore) {}

  send(config: StatefulConfig, inner: AxiosAdapter): Promise<AxiosResponse> {
    const core = this.core;
    let state = this.liveState(config);
    if (config.resilience === false) {
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
        state = this.begin(config);
      } catch (invalid) {
        return Promise.reject(invalid);
      }
    }
    if (state.deadlineAt !== undefined) {
      const left = Math.ceil(state.deadlineAt - monotonicNow());
      if (left <= 0) return this.refuse(state, 'deadline', config);
      // Here, after every interceptor: none can stretch an attempt past the deadline.
      const timeout = config.timeout ?? 0;
      config.timeout = timeout > 0 ? Math.min(timeout, left) : left;
    }
    if (state.attempts === 0) {
      if (!SAFE_METHODS.has(config.method ?? 'get')) {
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

  private begin(config: StatefulConfig): AttemptState {
    const core = this.core;
    const perRequest = config.resilience;
    // Throws the option's TypeError, which rejects this request before anything is sent or counted.
    const options = perRequest === undefined ? core.options : normalizeOptions(perRequest, core.options);
    if (options.idempotencyKey && isKeyedMethod(config.method))
      addIdempotencyKey(config, options.idempotencyKey);
    const state = new AttemptState(core, options, monotonicNow());
    if (config[UNREPLAYABLE_KEY] === true || !isReplayableBody(config.data)) state.bodyReplayable = false;
    config[STATE_KEY] = state;
    core.counters.requests += 1;
    return state;
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
    const telemetry = state.telemetry;
    const sent = telemetry ? telemetry.runAttempt(() => inner(config)) : inner(config);
    return sent.then(this.onAnswer);
  }

  /** An attempt the adapter answered with an accepted status: the call is a success. */
  private readonly onAnswer = (response: AxiosResponse): AxiosResponse => {
    const config = (response as Partial<AxiosResponse> | undefined)?.config as StatefulConfig | undefined;
    const capture = config?.[CAPTURE_KEY];
    if (capture !== undefined) capture.response = response;
    const state = stateOf(config);
    if (state !== undefined && state.endedAt === undefined) {
      state.endedAt = monotonicNow();
      if (!state.continuation) this.core.counters.successes += 1;
      state.telemetry?.end({
        response,
        attempts: state.attempts,
        retries: state.retries,
        hedges: state.hedges,
      });
    }
    return response;
  };

  /**
   * The attempt is not sent. The retry loop gives up with `reason`: with this error for a first
   * attempt, with the last real error for a retry.
   */
  private refuse(state: AttemptState, reason: GiveUpReason, config: StatefulConfig): Promise<never> {
    state.refusal = reason;
    return Promise.reject(new AxiosError(`axios-resilience: not sent (${reason})`, 'ERR_NOT_SENT', config));
  }
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
