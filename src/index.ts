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
export {
  DEFAULT_OPTIONS,
  type ResilienceOptions,
  type RequestResilience,
  type JitterMode,
  type RetryContext,
  type GiveUpContext,
  type GiveUpReason,
  type RetryReason,
  type ResilienceLogger,
  type PoolOptions,
} from './options.js';
export type { ResilienceStats } from './stats.js';
