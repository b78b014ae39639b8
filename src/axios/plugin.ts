import {
  type AxiosError,
  type AxiosInstance,
  type AxiosInterceptorManager,
  type AxiosResponse,
  type InternalAxiosRequestConfig,
} from 'axios';
import { clampDelay, computeBackoff } from '../policy/backoff.js';
import { classify, safetyVerdict, type FailureFacts, type Verdict } from '../policy/classify.js';
import { monotonicNow } from '../guards/clock.js';
import { normalizeOptions, type ResolvedOptions } from '../options.js';
import type { GiveUpReason, ResilienceOptions } from '../types.js';
import { axiosErrorIn, failureFacts, hasHeader, isReplayableBody } from './failure.js';
import { serverRequestedDelay } from '../policy/retry-after.js';
import { sleep } from './sleep.js';
import { createStats, type ResilienceStats } from './stats.js';
import { AttemptState, STATE_KEY, stateOf } from './attempt-state.js';

/** What `attachResilience` returns. */
export interface ResilienceHandle {
  /** Removes every interceptor and hook this plugin installed on the instance. */
  detach(): void;
  /** A snapshot of the plugin's counters. */
  stats(): ResilienceStats;
}

type StatefulConfig = InternalAxiosRequestConfig & { [STATE_KEY]?: AttemptState };
type ResponseManager = AxiosInterceptorManager<AxiosResponse>;

const attached = new WeakSet<object>();
const NOT_RETRYABLE: Verdict = Object.freeze({ retry: false, reason: 'not-retryable' });

/**
 * Makes `instance` resilient: failed requests are classified, waited on and re-dispatched through
 * the same instance, so request interceptors run again on every attempt.
 *
 * @throws TypeError when an option is invalid (nothing is attached then)
 * @throws Error when the instance already has resilience attached
 * @example
 * const handle = attachResilience(axios.create({ baseURL }), { retries: 5 });
 */
export function attachResilience(instance: AxiosInstance, options?: ResilienceOptions): ResilienceHandle {
  if (!isAxiosInstance(instance)) {
    throw new TypeError('Expected `instance` to be an axios instance (axios or axios.create())');
  }
  if (attached.has(instance)) {
    throw new Error(
      'attachResilience() was already called on this axios instance; call detach() on its handle first',
    );
  }
  const plugin = new ResiliencePlugin(instance, normalizeOptions(options ?? {}));
  attached.add(instance);
  return plugin;
}

function isAxiosInstance(value: unknown): value is AxiosInstance {
  const candidate = value as Partial<AxiosInstance> | null | undefined;
  return (
    (typeof candidate === 'function' || typeof candidate === 'object') &&
    candidate !== null &&
    typeof candidate.request === 'function' &&
    typeof candidate.interceptors?.response?.use === 'function'
  );
}

class ResiliencePlugin implements ResilienceHandle {
  private readonly counters: ResilienceStats = createStats();
  private readonly requestId: number;
  private responseId: number;
  private readonly responses: ResponseManager;

  constructor(
    private readonly instance: AxiosInstance,
    private readonly options: ResolvedOptions,
  ) {
    // Not `synchronous`: on older axios (1.6) a throw from a synchronous request interceptor
    // escapes request() as a synchronous throw; the promise chain makes it a rejection.
    this.requestId = instance.interceptors.request.use(this.onRequest);
    this.responses = instance.interceptors.response;
    this.responseId = this.responses.use(this.onResponse, this.onError);
    this.keepLast();
  }

  detach(): void {
    const responses = this.responses as Partial<Record<'use' | 'clear', unknown>>;
    delete responses.use;
    delete responses.clear;
    this.instance.interceptors.request.eject(this.requestId);
    this.responses.eject(this.responseId);
    attached.delete(this.instance);
  }

  stats(): ResilienceStats {
    return { ...this.counters, giveUps: { ...this.counters.giveUps } };
  }

  /**
   * Axios runs response interceptors in registration order, and a retry re-runs the whole chain.
   * Staying last means every other interceptor sees each attempt once and the caller's outcome
   * once; re-registering on `use` keeps the ids the user holds valid.
   */
  private keepLast(): void {
    const manager = this.responses;
    const use = manager.use;
    const clear = manager.clear;
    manager.use = (...args: Parameters<ResponseManager['use']>): number => {
      const id = use.apply(manager, args);
      manager.eject(this.responseId);
      this.responseId = use.call(manager, this.onResponse, this.onError);
      return id;
    };
    manager.clear = () => {
      clear.call(manager);
      this.responseId = use.call(manager, this.onResponse, this.onError);
    };
  }

  private readonly onRequest = (config: StatefulConfig): StatefulConfig => {
    const perRequest = config.resilience;
    if (perRequest === false) return config;
    let state = config[STATE_KEY];
    // An ended state means the caller re-sent a settled request's config: a new logical request.
    if (state === undefined || state.owner !== this || state.endedAt !== undefined) {
      state = this.begin(config, perRequest);
    }
    state.attempts += 1;
    this.counters.attempts += 1;
    if (state.continuation && state.attempts === 1) this.counters.retries += 1;
    // Judged before transformRequest runs: the default one turns an async iterable into "{}".
    if (!isReplayableBody(config.data)) state.bodyReplayable = false;
    if (state.deadlineAt !== undefined) {
      const left = Math.max(1, Math.ceil(state.deadlineAt - monotonicNow()));
      config.timeout = state.originalTimeoutMs > 0 ? Math.min(state.originalTimeoutMs, left) : left;
    }
    return config;
  };

  private begin(config: StatefulConfig, perRequest: ResilienceOptions | undefined): AttemptState {
    // Throws the option's TypeError, which rejects this request before anything is sent.
    const options = perRequest === undefined ? this.options : normalizeOptions(perRequest, this.options);
    // Before anything is counted: a key function that throws rejects a request never made.
    if (options.idempotencyKey && isKeyedMethod(config.method))
      addIdempotencyKey(config, options.idempotencyKey);
    const state = new AttemptState(this, options, monotonicNow(), config.timeout ?? 0);
    config[STATE_KEY] = state;
    this.counters.requests += 1;
    if (options.retryBudget) options.retryBudget.recordRequest();
    return state;
  }

  private readonly onResponse = (response: AxiosResponse): AxiosResponse => {
    const state = stateOf((response as Partial<AxiosResponse> | null | undefined)?.config);
    if (state === undefined) {
      // An earlier interceptor unwrapped the response (r => r.data): still a success of ours,
      // since only a request's final outcome reaches this handler. A whole response without
      // state was sent with `resilience: false`: not counted as a request, so not as a success.
      if (!isWholeResponse(response)) this.counters.successes += 1;
    } else if (state.owner === this && state.endedAt === undefined) {
      state.endedAt = monotonicNow();
      if (!state.continuation) this.counters.successes += 1;
    }
    return response;
  };

  private readonly onError = async (caught: unknown): Promise<AxiosResponse> => {
    // An earlier interceptor may have wrapped the AxiosError (`new MyError(msg, { cause })`).
    const error = axiosErrorIn(caught);
    const config = error?.config as StatefulConfig | undefined;
    const state = stateOf(config);
    // Not from axios, not ours, or already settled by a nested attempt: pass it on untouched.
    if (state === undefined || state.owner !== this || state.endedAt !== undefined) throw caught;
    try {
      return await this.retryOrGiveUp(error as AxiosError, config as StatefulConfig, state, caught);
    } catch (failure) {
      // A hook threw, or a retry failed before axios sent it (a request interceptor threw):
      // a failure the plugin cannot retry, so the request still ends, and is counted, once.
      if (state.endedAt === undefined) this.settle(state, 'not-retryable');
      throw failure;
    }
  };

  private async retryOrGiveUp(
    error: AxiosError,
    config: StatefulConfig,
    state: AttemptState,
    caught: unknown,
  ): Promise<AxiosResponse> {
    const options = state.options;
    const status = error.response?.status;
    const serverDelay =
      status === 429 || status === 503
        ? serverRequestedDelay(error.response?.headers, Date.now())
        : undefined;
    const facts = failureFacts(error, config, state.bodyReplayable, status, serverDelay !== undefined);
    const verdict = await this.decide(facts, error, config, state);
    if (!verdict.retry) return this.giveUp(caught, state, verdict.reason);
    if (state.attempts > options.retries) return this.giveUp(caught, state, 'exhausted');

    let delayMs: number;
    if (serverDelay !== undefined && options.respectRetryAfter) {
      if (serverDelay > (options.maxRetryAfterMs ?? options.maxDelayMs)) {
        return this.giveUp(caught, state, 'retry-after-too-long');
      }
      delayMs = clampDelay(serverDelay);
    } else {
      delayMs = computeBackoff(state.attempts - 1, options, state.previousDelayMs, Math.random);
    }
    if (state.deadlineAt !== undefined && monotonicNow() + delayMs >= state.deadlineAt) {
      return this.giveUp(caught, state, 'deadline');
    }
    if (options.retryBudget && !options.retryBudget.tryAcquireRetry()) {
      this.counters.budgetRefusals += 1;
      return this.giveUp(caught, state, 'budget');
    }

    discardBody(error.response);
    state.recordDelay(delayMs);
    this.counters.retries += 1;
    options.logger?.info(
      `axios-resilience: retry ${state.attempts}/${options.retries} of ${describeRequest(config)} after ${verdict.reason}, waiting ${delayMs} ms`,
    );
    if (options.onRetry) {
      await options.onRetry({ attempt: state.attempts, delayMs, error, config, reason: verdict.reason });
    }
    try {
      await sleep(delayMs, config);
    } catch (canceled) {
      return this.giveUp(canceled as AxiosError, state, 'canceled');
    }
    // A timer may fire late (a busy event loop): still, no attempt starts at or after the deadline.
    if (state.deadlineAt !== undefined && monotonicNow() >= state.deadlineAt) {
      return this.giveUp(caught, state, 'deadline');
    }
    return this.instance.request(nextAttempt(config));
  }

  private async decide(
    facts: FailureFacts,
    error: AxiosError,
    config: StatefulConfig,
    state: AttemptState,
  ): Promise<Verdict> {
    const shouldRetry = state.options.shouldRetry;
    if (shouldRetry === undefined) return classify(facts, state.options);
    const unsafe = safetyVerdict(facts);
    if (unsafe) return unsafe;
    const reason = facts.status === undefined ? (facts.code ?? 'error') : `status ${facts.status}`;
    const retry = await shouldRetry({ attempt: state.attempts, delayMs: 0, error, config, reason });
    return retry ? { retry: true, reason } : NOT_RETRYABLE;
  }

  private settle(state: AttemptState, reason: GiveUpReason): void {
    state.reason = reason;
    state.endedAt = monotonicNow();
    if (!state.continuation) this.counters.giveUps[reason] += 1;
  }

  private async giveUp(error: unknown, state: AttemptState, reason: GiveUpReason): Promise<never> {
    this.settle(state, reason);
    const options = state.options;
    if (options.logger) {
      const level = reason === 'not-retryable' || reason === 'canceled' ? 'debug' : 'warn';
      options.logger[level](`axios-resilience: giving up after ${state.attempts} attempt(s): ${reason}`);
    }
    if (options.onGiveUp) await options.onGiveUp({ attempts: state.attempts, error, reason });
    throw error;
  }
}

function isWholeResponse(value: unknown): boolean {
  const candidate = value as Partial<AxiosResponse> | null;
  return (
    typeof candidate === 'object' &&
    candidate !== null &&
    typeof candidate.status === 'number' &&
    typeof candidate.config === 'object'
  );
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

/** Frees the socket behind a streamed error response we are about to discard. */
function discardBody(response: AxiosResponse | undefined): void {
  const body = response?.data as { destroy?: () => void; pipe?: unknown } | undefined;
  if (body && typeof body.pipe === 'function' && typeof body.destroy === 'function') body.destroy();
}

/**
 * The next attempt's config. The body was already transformed (serialized) by the first attempt;
 * running `transformRequest` again could encode it twice, so the bytes are sent as they are.
 */
function nextAttempt(config: StatefulConfig): StatefulConfig {
  return { ...config, transformRequest: SEND_AS_IS };
}

const SEND_AS_IS = [(data: unknown): unknown => data];

function describeRequest(config: InternalAxiosRequestConfig): string {
  return `${(config.method ?? 'get').toUpperCase()} ${config.url ?? ''}`;
}
