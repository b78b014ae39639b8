import { headerValue } from './headers.js';
import { asWaitMs, exhaustedWaitMs, readRateLimits } from './rate-limit-headers.js';
import { parseRetryAfter } from './retry-after.js';

/** What pacing needs from a response: `remaining` attempts may start in the next `resetMs`. */
export interface Quota {
  /** Units left, a whole number ≥ 0. */
  readonly remaining: number;
  /** Milliseconds until more units are available, a whole number in [0, 2**31 - 1]. */
  readonly resetMs: number;
}

/**
 * The wait a response names for its whole scope, in milliseconds (a whole number in
 * [0, 2**31 - 1]), or `undefined` when it names none:
 * 1. `Retry-After` (delay-seconds or an HTTP-date), which takes precedence over every rate-limit
 *    header (draft-ietf-httpapi-ratelimit-headers-10 §7);
 * 2. `RateLimit: "default";r=0;t=30` (draft-10; with several policies, the largest `t` among the
 *    items with `r=0`);
 * 3. `RateLimit: limit=100, remaining=0, reset=30` (draft-07);
 * 4. `RateLimit-Remaining: 0` with `RateLimit-Reset: 30` (delta seconds);
 * 5. `X-RateLimit-Remaining: 0` with `X-RateLimit-Reset` (above 10^9: epoch seconds, GitHub's
 *    form; else delta seconds).
 *
 * A malformed field is ignored and the next form is read.
 *
 * @param headers `AxiosHeaders` or a plain object
 * @param nowEpochMs the wall clock (`Date.now()`), for HTTP-dates and epoch resets
 */
export function serverWaitMs(headers: unknown, nowEpochMs: number): number | undefined {
  const retryAfter = asWaitMs(parseRetryAfter(headerValue(headers, 'retry-after'), nowEpochMs));
  if (retryAfter !== undefined) return retryAfter;
  return exhaustedWaitMs(readRateLimits(headers, nowEpochMs));
}

/**
 * The most restrictive limit a response of any status states, or `undefined` when it states none:
 * the smallest `remaining` (on a tie, the latest reset) among the draft-10 `RateLimit` items that
 * carry both `r` and `t`, the draft-07 `RateLimit` field, `RateLimit-Remaining`/`RateLimit-Reset`
 * and `X-RateLimit-Remaining`/`X-RateLimit-Reset`. `Retry-After` plays no part.
 *
 * @param headers `AxiosHeaders` or a plain object
 * @param nowEpochMs the wall clock (`Date.now()`), for epoch resets
 */
export function quota(headers: unknown, nowEpochMs: number): Quota | undefined {
  let remaining = Number.POSITIVE_INFINITY;
  let resetMs = -1;
  for (const reading of readRateLimits(headers, nowEpochMs)) {
    if (reading.remaining === undefined || reading.resetMs === undefined) continue;
    if (reading.remaining < remaining || (reading.remaining === remaining && reading.resetMs > resetMs)) {
      remaining = reading.remaining;
      resetMs = reading.resetMs;
    }
  }
  return resetMs < 0 ? undefined : { remaining, resetMs };
}
