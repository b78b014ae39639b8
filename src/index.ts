export { attachResilience, type ResilienceHandle } from './interceptor.js';
export {
  createResilientAxios,
  type ResilientAxiosInstance,
  type ResilientAxiosOptions,
  type DownloadResult,
} from './factory.js';
export { RETRYABLE_STATUS_CODES, NON_RETRYABLE_STATUS_CODES } from './classify.js';
export { getRetryState, type RetryState } from './state.js';
export {
  createRetryBudget,
  RetryBudget,
  type RetryBudgetOptions,
  type RetryBudgetSnapshot,
} from './budget.js';
export { StreamResumeError, isStreamResumeError } from './errors.js';
export { parseRetryAfter } from './retry-after.js';
export { computeBackoff, type BackoffPolicy } from './backoff.js';
export { DEFAULT_OPTIONS } from './options.js';
export type {
  ResilienceOptions,
  RequestResilience,
  JitterMode,
  RetryContext,
  GiveUpContext,
  GiveUpReason,
  RetryReason,
  ResilienceLogger,
  PoolOptions,
} from './types.js';
export type { ResilienceStats } from './stats.js';
