import type { AxiosError, InternalAxiosRequestConfig } from 'axios';
import type { CircuitBreakerOptions } from './guards/breaker-options.js';
import type { RetryBudget, RetryBudgetOptions } from './guards/retry-budget.js';
import type { ResilienceStore } from './store/types.js';
import type { ResilienceTelemetry } from './telemetry/types.js';

/** How the computed backoff is randomised. A number r in [0, 1] waits `d + U(0, d·r)`. */
export type JitterMode = number | 'full' | 'equal' | 'decorrelated' | 'none';

/** Why a retry is about to happen, e.g. `'status 503'` or `'ECONNRESET'`. */
export type RetryReason = string;

/** Why the plugin stopped retrying and handed back the last outcome. */
export type GiveUpReason =
  | 'not-retryable'
  | 'exhausted'
  | 'budget'
  | 'deadline'
  | 'retry-after-too-long'
  | 'canceled'
  | 'body-not-replayable'
  | 'circuit-open';

/** What `shouldRetry` and `onRetry` are told about the failed attempt. */
export interface RetryContext {
  /** 1-based number of the attempt that just failed. */
  attempt: number;
  /** The wait before the next attempt; `0` while `shouldRetry` runs (not chosen yet). */
  delayMs: number;
  error: AxiosError;
  config: InternalAxiosRequestConfig;
  reason: RetryReason;
}

/** What `onGiveUp` is told when the plugin stops. */
export interface GiveUpContext {
  attempts: number;
  error: unknown;
  reason: GiveUpReason;
}

/** Any logger with these three methods: `console`, pino, winston, bunyan. */
export interface ResilienceLogger {
  debug(message: string, ...meta: unknown[]): void;
  info(message: string, ...meta: unknown[]): void;
  warn(message: string, ...meta: unknown[]): void;
}

/** Limits of the keep-alive agents `createResilientAxios` makes on Node. */
export interface PoolOptions {
  /** @default 100 */
  maxSockets?: number | undefined;
  /** @default 20 */
  maxFreeSockets?: number | undefined;
  /** @default 1000 */
  keepAliveMsecs?: number | undefined;
}

export interface ResilienceOptions {
  /**
   * Retries after the first attempt; attempts = retries + 1.
   * @default 3
   */
  retries?: number | undefined;
  /**
   * Backoff before retry n (0-based) is `baseDelayMs * 2**n`.
   * @default 1000
   */
  baseDelayMs?: number | undefined;
  /**
   * No computed backoff wait exceeds this (applied after jitter).
   * @default 60000
   */
  maxDelayMs?: number | undefined;
  /**
   * `r` in [0, 1] waits `d + U(0, d·r)`; `'full'` `U(0, d)`; `'equal'` `d/2 + U(0, d/2)`;
   * `'decorrelated'` `U(base, prev·3)`; `'none'` exactly `d`.
   * @default 0.5
   */
  jitter?: JitterMode | undefined;
  /**
   * Methods retried on any retryable failure (RFC 9110 §9.2.2 idempotent methods).
   * @default ['GET', 'HEAD', 'OPTIONS', 'PUT', 'DELETE', 'TRACE']
   */
  methods?: readonly string[] | undefined;
  /**
   * Statuses that are retried; every other status is not.
   * @default [408, 429, 502, 503, 504]
   */
  retryOnStatus?: readonly number[] | undefined;
  /**
   * `AxiosError.code`s retried when there is no response.
   * @default ['ECONNRESET', 'ECONNREFUSED', 'ETIMEDOUT', 'ECONNABORTED', 'EPIPE', 'EAI_AGAIN', 'ENETUNREACH', 'EHOSTUNREACH', 'ERR_NETWORK']
   */
  retryOnErrorCodes?: readonly string[] | undefined;
  /**
   * On 429 and 503, wait what `Retry-After` (or `RateLimit` / `RateLimit-Reset`) says.
   * @default true
   */
  respectRetryAfter?: boolean | undefined;
  /**
   * A server asking to wait longer than this is not retried: the call fails at once.
   * @default maxDelayMs
   */
  maxRetryAfterMs?: number | undefined;
  /**
   * Total time for all attempts and waits; each attempt's `timeout` shrinks to what is left.
   * @default undefined (no deadline)
   */
  deadlineMs?: number | undefined;
  /**
   * Limits retries to a share of traffic so a fleet cannot amplify an outage.
   * `false` turns it off; a budget from `createRetryBudget()` can be shared.
   * @default { ratio: 0.2, minPerSecond: 10, windowMs: 10000 }
   */
  retryBudget?: RetryBudgetOptions | RetryBudget | false | undefined;
  /**
   * `true` or `(config) => key`: POST/PATCH without an `Idempotency-Key` header get one,
   * the same on every attempt, which makes them retryable.
   * @default false
   */
  idempotencyKey?: boolean | ((config: InternalAxiosRequestConfig) => string) | undefined;
  /**
   * Replaces the classification; limits, budget, deadline, cancellation and body safety still apply.
   * @example shouldRetry: ({ error }) => error.response?.status === 500
   * @default undefined (the built-in classification)
   */
  shouldRetry?: ((ctx: RetryContext) => boolean | Promise<boolean>) | undefined;
  /**
   * Called before each wait. A throwing hook rejects the call with its error.
   * @default undefined (none)
   */
  onRetry?: ((ctx: RetryContext) => void | Promise<void>) | undefined;
  /**
   * Called when the plugin stops retrying. A throwing hook rejects the call with its error.
   * @default undefined (none)
   */
  onGiveUp?: ((ctx: GiveUpContext) => void | Promise<void>) | undefined;
  /**
   * Where retries and give-ups are reported.
   * @default silent
   */
  logger?: ResilienceLogger | undefined;
  /**
   * Streams only (Node): continue a broken body with a `Range` request.
   * @default false
   */
  resume?: boolean | undefined;
  /**
   * Streams only: a body silent for this long counts as broken.
   * @default 30000
   */
  stallTimeoutMs?: number | undefined;
  /**
   * Which requests share a circuit breaker, a rate-limit pause and hedging statistics.
   * @default the origin of the request's full URL, e.g. `https://api.example.com:443`
   * @example scope: (config) => new URL(config.url ?? '', config.baseURL).host
   */
  scope?: ((config: InternalAxiosRequestConfig) => string) | undefined;
  /**
   * A circuit breaker per scope: `true` for the defaults, or options. Per request, `false` neither
   * checks nor feeds it.
   * @default false
   */
  circuitBreaker?: boolean | CircuitBreakerOptions | undefined;
  /**
   * A 429, or a 503 naming a wait, pauses the whole scope; `RateLimit` headers pace it.
   * @default true
   */
  pacing?: boolean | undefined;
  /**
   * A copy of a slow idempotent request races the first: `true` for the defaults, or options.
   * @default false
   */
  hedge?: boolean | HedgeOptions | undefined;
  /**
   * Where the retry budget, the circuit breakers and the scope pauses live. Instance only.
   * @default in memory, one per attached instance
   * @example store: createRedisStore(redis, { prefix: 'billing' }) // from 'axios-resilience/redis'
   */
  store?: ResilienceStore | undefined;
  /**
   * A telemetry sink: `openTelemetry()` from `axios-resilience/otel`, or your own
   * `ResilienceTelemetry` (`combineTelemetry` makes one of two). Instance only. On Node the
   * `diagnostics_channel` channels are published whether or not this is set (docs/observability.md).
   * @default none
   * @example telemetry: openTelemetry() // from 'axios-resilience/otel'
   */
  telemetry?: ResilienceTelemetry | undefined;
}

/** `hedge` options: copies of a slow request race the first; the first good answer wins. */
export interface HedgeOptions {
  /**
   * How long to wait for an answer before sending a copy: a number of ms, or `'auto'` for the
   * scope's p95 latency over its last 1000 answered attempts (no hedge until it has 20).
   * @default 'auto'
   */
  delayMs?: number | 'auto' | undefined;
  /**
   * Extra copies at most, one more each `delayMs` while none has answered.
   * @default 1
   */
  maxHedges?: number | undefined;
  /**
   * Only these methods are hedged.
   * @default ['GET', 'HEAD', 'OPTIONS']
   */
  methods?: readonly string[] | undefined;
}

/** Per-request options, typed onto every axios config. */
export type RequestResilience = ResilienceOptions | false;

declare module 'axios' {
  interface AxiosRequestConfig {
    /** Per-request resilience options, or `false` to turn retries off for this request. */
    resilience?: RequestResilience | undefined;
  }
}
