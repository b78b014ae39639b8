import { headerValue } from './headers.js';
import { asWaitMs, exhaustedWaitMs, readRateLimits, unstatedRemainingResetMs } from './rate-limit-headers.js';

const DELAY_SECONDS = /^\s*(\d+(?:\.\d+)?)\s*$/;
// RFC 9110 §5.6.7: IMF-fixdate, and the obsolete RFC 850 and asctime forms recipients must accept.
const IMF_FIXDATE = /^\s*[A-Za-z]{3}, \d{2} [A-Za-z]{3} \d{4} \d{2}:\d{2}:\d{2} GMT\s*$/;
const RFC850_DATE = /^\s*[A-Za-z]{6,9}, \d{2}-[A-Za-z]{3}-\d{2} \d{2}:\d{2}:\d{2} GMT\s*$/;
const ASCTIME_DATE = /^\s*[A-Za-z]{3} [A-Za-z]{3} [ \d]\d \d{2}:\d{2}:\d{2} \d{4}\s*$/;

/** Longest wait a header can ask for that still fits a timer; anything above means "very long". */
const FAR_FUTURE_MS = Number.MAX_SAFE_INTEGER;

/**
 * Milliseconds a `Retry-After` value asks to wait, or `undefined` when it is absent or garbage.
 * Never NaN, never negative: a date in the past means 0.
 *
 * RFC 9110 §10.2.3: Retry-After is delay-seconds or an HTTP-date.
 */
export function parseRetryAfter(value: unknown, nowMs: number): number | undefined {
  if (typeof value !== 'string' || value.length > 64) return undefined;
  const seconds = DELAY_SECONDS.exec(value);
  if (seconds) return secondsToMs(Number(seconds[1]));
  let date: number;
  if (IMF_FIXDATE.test(value) || RFC850_DATE.test(value)) date = Date.parse(value);
  else if (ASCTIME_DATE.test(value)) date = Date.parse(`${value.trim()} GMT`);
  else return undefined;
  if (!Number.isFinite(date)) return undefined;
  return Math.max(0, date - nowMs);
}

/**
 * Milliseconds until a rate-limit window resets, from the `RateLimit` field (either draft form)
 * and the `RateLimit-Reset` header, read as on a refused response; `undefined` when none is usable.
 *
 * @deprecated Read whole responses with {@link serverRequestedDelay}.
 */
export function parseRateLimitReset(rateLimit: unknown, rateLimitReset: unknown): number | undefined {
  const headers: Record<string, string> = {};
  if (typeof rateLimit === 'string') headers.ratelimit = rateLimit;
  if (typeof rateLimitReset === 'string') headers['ratelimit-reset'] = rateLimitReset;
  const readings = readRateLimits(headers, Date.now());
  return exhaustedWaitMs(readings) ?? unstatedRemainingResetMs(readings);
}

/**
 * The wait a refused response (429, or 503) asks for, in milliseconds: `Retry-After` first, then
 * the rate-limit headers, as `serverWaitMs` in `rate-limit.ts` reads them; and since the status
 * itself says nothing remains, also a reset the headers name without saying what remains
 * (`RateLimit-Reset: 4` alone). `undefined` when the response names no usable wait.
 */
export function serverRequestedDelay(headers: unknown, nowMs: number): number | undefined {
  const retryAfter = asWaitMs(parseRetryAfter(headerValue(headers, 'retry-after'), nowMs));
  if (retryAfter !== undefined) return retryAfter;
  const readings = readRateLimits(headers, nowMs);
  return exhaustedWaitMs(readings) ?? unstatedRemainingResetMs(readings);
}

function secondsToMs(seconds: number): number | undefined {
  if (!Number.isFinite(seconds) || seconds < 0) return undefined;
  return Math.min(Math.round(seconds * 1000), FAR_FUTURE_MS);
}
