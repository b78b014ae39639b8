import type { AxiosResponse } from 'axios';
import { monotonicNow } from '../guards/clock.js';
import type { ResolvedOptions } from '../options.js';
import type { BreakerGuard, PacerGuard } from '../store/types.js';
import type { RequestTelemetry } from '../telemetry/types.js';
import type { GiveUpReason } from '../types.js';

/**
 * The config key that carries a request's attempt state between attempts. A string key, because
 * axios's `mergeConfig` drops symbol keys; a class instance, because it is carried by reference.
 */
export const STATE_KEY = '__axiosResilienceState';

/** Marks a state made by any copy of this package (ESM and CJS builds, two installed versions). */
const STATE_BRAND = Symbol.for('axios-resilience.AttemptState');

/** One logical request's progress over all its attempts. */
export class AttemptState {
  /** Attempts sent: the first, retries and hedge copies. */
  attempts = 0;
  /** Retries sent. */
  retries = 0;
  /** Hedge copies sent. */
  hedges = 0;
  delaysMs: number[] | undefined;
  endedAt: number | undefined;
  reason: GiveUpReason | undefined;
  /** False once any attempt's body, as the caller gave it, was a stream or an async iterable. */
  bodyReplayable = true;
  /** The `Idempotency-Key` the first attempt carried: every retry carries it too. */
  idempotencyKey: string | undefined;
  /** The request's scope (breaker, pause, latency), computed once. */
  scope: string | undefined;
  /** The last error an attempt really met, given back when a retry is not sent. */
  lastError: unknown;
  /** The retry loop is re-dispatching: the next attempt the boundary sees is its retry. */
  retryPending = false;
  /** The attempt in flight is answered to the plugin's response interceptor, not to the boundary. */
  answerPending = false;
  /** Set by the attempt boundary when it refused to send: why. */
  refusal: GiveUpReason | undefined;
  telemetry: RequestTelemetry | undefined;
  /** The caller's own trace headers, restored on every re-dispatch (see `nextAttempt`). */
  traceHeaders: TraceHeaders | undefined;
  /** The breaker that let the attempt in flight through, and whether as a half-open probe. */
  breaker: BreakerGuard | undefined;
  probe = false;
  /** The pacer that counts the attempt in flight. */
  pacer: PacerGuard | undefined;
  /** This attempt already waited for its scope (counted once in `pacedAttempts`). */
  paced = false;
  readonly deadlineAt: number | undefined;
  declare readonly [STATE_BRAND]: true;

  constructor(
    /** The plugin that owns this request; another instance's state is not ours to continue. */
    readonly owner: object,
    readonly options: ResolvedOptions,
    readonly startedAt: number,
    /**
     * A range request continuing a broken stream: its attempts count as retries of a request
     * whose success was already counted when the stream opened.
     */
    readonly continuation = false,
    deadlineAt?: number,
  ) {
    this.deadlineAt =
      deadlineAt ?? (options.deadlineMs === undefined ? undefined : startedAt + options.deadlineMs);
  }

  get previousDelayMs(): number {
    return this.delaysMs?.[this.delaysMs.length - 1] ?? 0;
  }

  recordDelay(delayMs: number): void {
    (this.delaysMs ??= []).push(delayMs);
  }
}
Object.defineProperty(AttemptState.prototype, STATE_BRAND, { value: true });

/** `traceparent` / `tracestate` as the caller's first attempt carried them (undefined: absent). */
export interface TraceHeaders {
  readonly traceparent: string | undefined;
  readonly tracestate: string | undefined;
}

/** The config key under which `stream()` asks the attempt boundary for the response as it came. */
export const CAPTURE_KEY = '__axiosResilienceCapture';

/**
 * The answered response of a call, before any response interceptor changed it (one that unwraps
 * `r => r.data` would hide the headers and body a stream needs). A class, so it is carried by reference.
 */
export class ResponseCapture {
  response: AxiosResponse | undefined;
}

/** What `getRetryState` tells about a response or error that went through the plugin. */
export interface RetryState {
  /** Attempts sent, the first one included (retries and hedge copies too). */
  attempts: number;
  /** The waits actually taken before each retry, in order (a wait cut short by a cancel: its part). */
  delaysMs: number[];
  /** Time from the first attempt to the outcome (or to now, while in flight). */
  elapsedMs: number;
  /** Hedge copies sent. */
  hedges: number;
  /** Why the plugin stopped, when it gave up. */
  reason?: GiveUpReason;
}

type WithState = { [STATE_KEY]?: unknown };

/** The state on a config, when one of this package's copies put it there. */
export function stateOf(config: unknown): AttemptState | undefined {
  if (config === null || typeof config !== 'object') return undefined;
  const state = (config as WithState)[STATE_KEY] as { [STATE_BRAND]?: unknown } | null | undefined;
  return state !== null && typeof state === 'object' && state[STATE_BRAND] === true
    ? (state as AttemptState)
    : undefined;
}

/**
 * The retry story of a response or error that went through the plugin, else `undefined`.
 *
 * @example
 * const err = await api.get('/flaky').catch((e) => e);
 * getRetryState(err); // { attempts: 4, delaysMs: [1210, 2380, 4400], elapsedMs: 8123, hedges: 0, reason: 'exhausted' }
 */
export function getRetryState(errorOrResponse: unknown): RetryState | undefined {
  if (errorOrResponse === null || typeof errorOrResponse !== 'object') return undefined;
  const state = stateOf((errorOrResponse as { config?: unknown }).config);
  if (!state) return undefined;
  const result: RetryState = {
    attempts: state.attempts,
    delaysMs: state.delaysMs ? state.delaysMs.slice() : [],
    elapsedMs: Math.max(0, Math.round((state.endedAt ?? monotonicNow()) - state.startedAt)),
    hedges: state.hedges,
  };
  if (state.reason !== undefined) result.reason = state.reason;
  return result;
}
