import type { AxiosError, AxiosResponse, InternalAxiosRequestConfig } from 'axios';
import { monotonicNow } from '../guards/clock.js';
import { clampDelay, computeBackoff } from '../policy/backoff.js';
import { classify, safetyVerdict, type FailureFacts, type Verdict } from '../policy/classify.js';
import { serverRequestedDelay } from '../policy/retry-after.js';
import type { GiveUpReason } from '../types.js';
import type { AttemptState } from './attempt-state.js';
import type { PluginCore, StatefulConfig } from './boundary.js';
import { failureFacts } from './failure.js';
import { sleep } from './sleep.js';

const NOT_RETRYABLE: Verdict = Object.freeze({ retry: false, reason: 'not-retryable' });

/**
 * The retry loop's one step, run by the last response interceptor on a failed attempt: decide,
 * wait, and re-dispatch through the instance (request interceptors run again), or give up.
 */
export async function retryOrGiveUp(
  core: PluginCore,
  error: AxiosError,
  config: StatefulConfig,
  state: AttemptState,
  caught: unknown,
): Promise<AxiosResponse> {
  const refusal = state.refusal;
  if (refusal !== undefined) {
    state.refusal = undefined;
    // A first attempt refused is the caller's error; a refused retry ends with the last real one.
    const giveBack = refusal === 'canceled' || state.attempts === 0 ? caught : state.lastError;
    return giveUp(core, giveBack, state, refusal);
  }
  state.lastError = caught;
  const options = state.options;
  const status = error.response?.status;
  const serverDelay =
    status === 429 || status === 503 ? serverRequestedDelay(error.response?.headers, Date.now()) : undefined;
  const facts = failureFacts(error, config, state.bodyReplayable, serverDelay !== undefined);
  const verdict = await decide(facts, error, config, state);
  if (!verdict.retry) return giveUp(core, caught, state, verdict.reason);
  if (state.retries >= options.retries) return giveUp(core, caught, state, 'exhausted');

  let delayMs: number;
  if (serverDelay !== undefined && options.respectRetryAfter) {
    if (serverDelay > (options.maxRetryAfterMs ?? options.maxDelayMs)) {
      return giveUp(core, caught, state, 'retry-after-too-long');
    }
    delayMs = clampDelay(serverDelay);
  } else {
    delayMs = computeBackoff(state.retries, options, state.previousDelayMs, Math.random);
  }
  if (state.deadlineAt !== undefined && monotonicNow() + delayMs >= state.deadlineAt) {
    return giveUp(core, caught, state, 'deadline');
  }
  const budget = options.retryBudget;
  if (budget && !(await budget.tryAcquireRetry())) {
    core.counters.budgetRefusals += 1;
    return giveUp(core, caught, state, 'budget');
  }

  discardBody(error.response);
  options.logger?.info(
    `axios-resilience: retry ${state.retries + 1}/${options.retries} of ${describeRequest(config)} after ${verdict.reason}, waiting ${delayMs} ms`,
  );
  if (options.onRetry) {
    await options.onRetry({ attempt: state.attempts, delayMs, error, config, reason: verdict.reason });
  }
  state.telemetry?.retry({ attempt: state.attempts, delayMs, reason: verdict.reason, config });
  const waitStarted = monotonicNow();
  try {
    await sleep(delayMs, config);
  } catch (canceled) {
    // The wait actually taken, not the one planned.
    state.recordDelay(Math.round(monotonicNow() - waitStarted));
    return giveUp(core, canceled, state, 'canceled');
  }
  state.recordDelay(delayMs);
  // A timer may fire late (a busy event loop): still, no attempt starts at or after the deadline.
  if (state.deadlineAt !== undefined && monotonicNow() >= state.deadlineAt) {
    return giveUp(core, caught, state, 'deadline');
  }
  // Detached during the wait: the plugin is gone, its retry is not sent.
  if (core.detached) return giveUp(core, caught, state, 'not-retryable');
  state.retryPending = true;
  return core.instance.request(nextAttempt(config, state));
}

async function decide(
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

async function giveUp(
  core: PluginCore,
  error: unknown,
  state: AttemptState,
  reason: GiveUpReason,
): Promise<never> {
  state.lastError = error;
  core.settle(state, reason);
  const options = state.options;
  if (options.logger) {
    const level = reason === 'not-retryable' || reason === 'canceled' ? 'debug' : 'warn';
    options.logger[level](`axios-resilience: giving up after ${state.attempts} attempt(s): ${reason}`);
  }
  if (options.onGiveUp) await options.onGiveUp({ attempts: state.attempts, error, reason });
  throw error;
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
function nextAttempt(config: StatefulConfig, state: AttemptState): StatefulConfig {
  const trace = state.traceHeaders;
  if (trace !== undefined) {
    // An instrumentation that wrote the last attempt's trace context into these headers would
    // otherwise send it again: each attempt gets its own span, so its own `traceparent`.
    restoreHeader(config, 'traceparent', trace.traceparent);
    restoreHeader(config, 'tracestate', trace.tracestate);
  }
  return { ...config, transformRequest: SEND_AS_IS };
}

function restoreHeader(config: StatefulConfig, name: string, value: string | undefined): void {
  const headers = config.headers;
  if (typeof headers?.set !== 'function') return;
  if (value === undefined) headers.delete(name);
  else headers.set(name, value);
}

const SEND_AS_IS = [(data: unknown): unknown => data];

function describeRequest(config: InternalAxiosRequestConfig): string {
  return `${(config.method ?? 'get').toUpperCase()} ${config.url ?? ''}`;
}
