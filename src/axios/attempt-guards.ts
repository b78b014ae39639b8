import { isCancel, type AxiosError, type AxiosResponse } from 'axios';
import { quota } from '../policy/rate-limit.js';
import { serverRequestedDelay } from '../policy/retry-after.js';
import type { BreakerGuard, PacerGuard } from '../store/types.js';

/**
 * What one attempt in flight took from its scope's guards: the breaker that let it through (and
 * whether as a half-open probe) and the pacer that counts it. The attempt state is the slot of a
 * call's single attempt; each hedge copy has its own.
 */
export interface GuardSlot {
  breaker: BreakerGuard | undefined;
  probe: boolean;
  pacer: PacerGuard | undefined;
}

/** An attempt answered with an accepted status: the breaker counts a success, the pacer learns. */
export function recordAnswer(slot: GuardSlot, response: AxiosResponse): void {
  const breaker = slot.breaker;
  if (breaker !== undefined) {
    breaker.record(false, slot.probe);
    slot.breaker = undefined;
  }
  const pacer = slot.pacer;
  if (pacer !== undefined) {
    pacer.settle();
    slot.pacer = undefined;
    observeQuota(pacer, response.headers);
  }
}

/**
 * An attempt failed. The breaker counts what the contract calls a failure (no response, 5xx, 408;
 * a cancel gives its slot back); a 429, or a 503 naming a wait, pauses the whole scope, whatever
 * becomes of the call (unless the caller chose to ignore the server's named waits).
 */
export function recordFailure(slot: GuardSlot, error: unknown, respectServerWait: boolean): void {
  const response = (error as Partial<AxiosError> | null | undefined)?.response;
  const status = response?.status;
  const breaker = slot.breaker;
  if (breaker !== undefined) {
    if (isCancel(error)) breaker.release(slot.probe);
    else breaker.record(status === undefined || status >= 500 || status === 408, slot.probe);
    slot.breaker = undefined;
  }
  const pacer = slot.pacer;
  if (pacer !== undefined) {
    pacer.settle();
    slot.pacer = undefined;
    if (response !== undefined) {
      observeQuota(pacer, response.headers);
      if ((status === 429 || status === 503) && respectServerWait) {
        const waitMs = serverRequestedDelay(response.headers, Date.now());
        if (waitMs !== undefined && waitMs > 0) pacer.pause(waitMs);
      }
    }
  }
}

/** A granted slot whose attempt is not sent gives back what it took. */
export function releaseSlot(slot: GuardSlot): void {
  if (slot.breaker !== undefined) slot.breaker.release(slot.probe);
  slot.breaker = undefined;
  slot.probe = false;
  slot.pacer?.settle();
  slot.pacer = undefined;
}

function observeQuota(pacer: PacerGuard, headers: unknown): void {
  if (!mayLimitRate(headers)) return;
  const limit = quota(headers, Date.now());
  if (limit !== undefined) pacer.observeQuota(limit.remaining, limit.resetMs);
}

/**
 * Whether a response may carry rate-limit headers: one pass over its names, so that a response
 * without any (the usual case) costs no parsing.
 */
function mayLimitRate(headers: unknown): boolean {
  if (headers === null || typeof headers !== 'object') return false;
  for (const name in headers) {
    const first = name.charCodeAt(0) | 0x20;
    if (first === 0x72 /* r */ || first === 0x78 /* x */) {
      const lower = name.toLowerCase();
      if (lower.startsWith('ratelimit') || lower.startsWith('x-ratelimit')) return true;
    }
  }
  return false;
}
