// What both entry points export; each adds its own `createResilientAxios`.
export { attachResilience, type ResilienceHandle } from './axios/plugin.js';
export type { ResilientAxiosOptions, ResilientAxiosBase, DownloadResult } from './axios/factory.js';
export { RETRYABLE_STATUS_CODES, NON_RETRYABLE_STATUS_CODES } from './policy/classify.js';
export { getRetryState, type RetryState } from './axios/attempt-state.js';
export {
  createRetryBudget,
  RetryBudget,
  type RetryBudgetOptions,
  type RetryBudgetSnapshot,
} from './guards/retry-budget.js';
export {
  StreamResumeError,
  isStreamResumeError,
  CircuitOpenError,
  isCircuitOpenError,
  RateLimitedError,
  isRateLimitedError,
} from './errors.js';
export { parseRetryAfter } from './policy/retry-after.js';
export { computeBackoff, type BackoffPolicy } from './policy/backoff.js';
export { DEFAULT_OPTIONS } from './options.js';
export { createMemoryStore } from './store/memory.js';
export type { CircuitBreakerOptions, CircuitStateChange } from './guards/breaker-options.js';
export type {
  ResilienceStore,
  BudgetGuard,
  BudgetSettings,
  BreakerGuard,
  BreakerSettings,
  CircuitState,
  CircuitListener,
  PacerGuard,
  PauseListener,
  Permit,
} from './store/types.js';
export { combineTelemetry } from './telemetry/combine.js';
export type {
  ResilienceTelemetry,
  RequestTelemetry,
  RequestInfo,
  RetryEvent,
  HedgeEvent,
  PauseEvent,
  CircuitEvent,
  RequestOutcome,
} from './telemetry/types.js';
export type {
  ResilienceOptions,
  RequestResilience,
  HedgeOptions,
  JitterMode,
  RetryContext,
  GiveUpContext,
  GiveUpReason,
  RetryReason,
  ResilienceLogger,
  PoolOptions,
} from './types.js';
export type { ResilienceStats } from './axios/stats.js';
