import { monotonicNow } from '../guards/clock.js';
import type { ResolvedOptions } from '../options.js';
import type { GiveUpReason } from '../types.js';

/**
 * The config key that carries a request's attempt state between attempts. A string key, because
 * axios's `mergeConfig` drops symbol keys; a class instance, because it is carried by reference.
 */
export const STATE_KEY = '__axiosResilienceState';

/** One logical request's progress over all its attempts. */
export class AttemptState {
  attempts = 0;
  delaysMs: number[] | undefined;
  endedAt: number | undefined;
  reason: GiveUpReason | undefined;
  /** False once any attempt's body, as the caller gave it, was a stream or an async iterable. */
  bodyReplayable = true;
  readonly deadlineAt: number | undefined;

  constructor(
    /** The plugin that owns this request; another instance's state is not ours to continue. */
    readonly owner: object,
    readonly options: ResolvedOptions,
    readonly startedAt: number,
    /** The caller's own `timeout`, before a deadline shrank it. */
    readonly originalTimeoutMs: number,
    /**
     * A range request continuing a broken stream: its attempts count as retries of a request
     * whose success was already counted when the stream opened.
     */
    readonly continuation = false,
  ) {
    this.deadlineAt = options.deadlineMs === undefined ? undefined : startedAt + options.deadlineMs;
  }

  get previousDelayMs(): number {
    return this.delaysMs?.[this.delaysMs.length - 1] ?? 0;
  }

  recordDelay(delayMs: number): void {
    (this.delaysMs ??= []).push(delayMs);
  }
}

/** What `getRetryState` tells about a response or error that went through the plugin. */
export interface RetryState {
  /** Attempts made, the first one included. */
  attempts: number;
  /** The waits actually taken, in order. */
  delaysMs: number[];
  /** Time from the first attempt to the outcome (or to now, while in flight). */
  elapsedMs: number;
  /** Why the plugin stopped, when it gave up. */
  reason?: GiveUpReason;
}

type WithState = { [STATE_KEY]?: unknown };

/** The state on a config, when it is one of ours. */
export function stateOf(config: unknown): AttemptState | undefined {
  if (config === null || typeof config !== 'object') return undefined;
  const state = (config as WithState)[STATE_KEY];
  return state instanceof AttemptState ? state : undefined;
}

/**
 * The retry story of a response or error that went through the plugin, else `undefined`.
 *
 * @example
 * const err = await api.get('/flaky').catch((e) => e);
 * getRetryState(err); // { attempts: 4, delaysMs: [1210, 2380, 4400], elapsedMs: 8123, reason: 'exhausted' }
 */
export function getRetryState(errorOrResponse: unknown): RetryState | undefined {
  if (errorOrResponse === null || typeof errorOrResponse !== 'object') return undefined;
  const state = stateOf((errorOrResponse as { config?: unknown }).config);
  if (!state) return undefined;
  const result: RetryState = {
    attempts: state.attempts,
    delaysMs: state.delaysMs ? state.delaysMs.slice() : [],
    elapsedMs: Math.max(0, Math.round((state.endedAt ?? monotonicNow()) - state.startedAt)),
  };
  if (state.reason !== undefined) result.reason = state.reason;
  return result;
}
