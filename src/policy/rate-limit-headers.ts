import { headerValue } from './headers.js';
import { parseDictionary, parseItem, parseList, type BareItem, type Member } from './structured-fields.js';

/** The longest wait a timer can take (2**31 - 1 ms); a reset further away is read as this. */
export const MAX_WAIT_MS = 2 ** 31 - 1;

/** draft-ietf-httpapi-ratelimit-headers-10 §4: `RateLimit: "default";r=0;t=30`. */
export const DRAFT_10 = 0;
/** draft-07 §3.1: `RateLimit: limit=100, remaining=0, reset=30`. */
export const DRAFT_07 = 1;
/** Drafts 00 to 06: `RateLimit-Remaining: 0` with `RateLimit-Reset: 30`. */
export const SEPARATE = 2;
/** Unstandardised, GitHub's among others: `X-RateLimit-Remaining: 0` with `X-RateLimit-Reset`. */
export const LEGACY_X = 3;
/** The header forms a rate limit comes in, in the order they are read when each names a wait. */
export type RateLimitForm = typeof DRAFT_10 | typeof DRAFT_07 | typeof SEPARATE | typeof LEGACY_X;

/** One limit a response states. */
export interface RateLimitReading {
  readonly form: RateLimitForm;
  /** Units left; `undefined` when the form allows leaving it out and the server did. */
  readonly remaining: number | undefined;
  /** Milliseconds until more units are available (0 to {@link MAX_WAIT_MS}); `undefined`: not said. */
  readonly resetMs: number | undefined;
}

const NONE: readonly RateLimitReading[] = Object.freeze([]);

/** `X-RateLimit-Reset` values above this are epoch seconds (GitHub's form), others delta seconds. */
const EPOCH_THRESHOLD_SECONDS = 1e9;

/** Plain decimal seconds, as the unstandardised `X-RateLimit-*` headers send them. */
const DECIMAL = /^[ \t]*(\d{1,15}(?:\.\d{1,6})?)[ \t]*$/;
const DIGITS = /^[ \t]*(\d{1,15})[ \t]*$/;

/**
 * Every limit the rate-limit headers of a response state, form by form in the order of
 * {@link RateLimitForm}. A malformed field is left out, as the drafts require ("Malformed RateLimit
 * header fields MUST be ignored", draft-10 §7).
 */
export function readRateLimits(headers: unknown, nowEpochMs: number): readonly RateLimitReading[] {
  const rateLimit = headerValue(headers, 'ratelimit');
  const separate = separateHeaders(headers);
  const legacy = legacyHeaders(headers, nowEpochMs);
  if (rateLimit === undefined && separate === undefined && legacy === undefined) return NONE;
  const readings: RateLimitReading[] = rateLimit === undefined ? [] : rateLimitField(rateLimit);
  if (separate) readings.push(separate);
  if (legacy) readings.push(legacy);
  return readings;
}

/**
 * The wait the first form that says a limit is spent names: `remaining` 0 with a reset. Within the
 * draft-10 field, the largest `t` among the items with `r=0`, since none of the policies may be
 * exceeded. `undefined` when no form says so.
 */
export function exhaustedWaitMs(readings: readonly RateLimitReading[]): number | undefined {
  let form = -1;
  let wait: number | undefined;
  for (const reading of readings) {
    if (wait !== undefined && reading.form !== form) break;
    if (reading.remaining !== 0 || reading.resetMs === undefined) continue;
    form = reading.form;
    wait = wait === undefined ? reading.resetMs : Math.max(wait, reading.resetMs);
  }
  return wait;
}

/**
 * The reset of the first form that names one without saying what remains. On a response that was
 * refused (429, 503) the status says nothing remains, so the reset is the wait.
 */
export function unstatedRemainingResetMs(readings: readonly RateLimitReading[]): number | undefined {
  for (const reading of readings) {
    if (reading.remaining === undefined && reading.resetMs !== undefined) return reading.resetMs;
  }
  return undefined;
}

/** The `RateLimit` field: a draft-10 List, or else a draft-07 Dictionary. */
function rateLimitField(value: string): RateLimitReading[] {
  const list = parseList(value);
  if (list !== undefined) {
    const readings = draft10Items(list);
    if (readings !== undefined) return readings;
  }
  const dictionary = parseDictionary(value);
  const reading = dictionary && draft07Dictionary(dictionary);
  return reading ? [reading] : [];
}

/** Draft-10 §4.1: each item carries `r` (required) and `t` (optional), non-negative Integers. */
function draft10Items(list: readonly Member[]): RateLimitReading[] | undefined {
  const readings: RateLimitReading[] = [];
  for (const member of list) {
    if (member.kind !== 'item') return undefined;
    const remaining = nonNegativeInteger(member.params.get('r'));
    if (remaining === undefined) return undefined;
    const t = member.params.get('t');
    const reset = t === undefined ? undefined : nonNegativeInteger(t);
    if (t !== undefined && reset === undefined) return undefined;
    readings.push({
      form: DRAFT_10,
      remaining,
      resetMs: reset === undefined ? undefined : secondsToMs(reset),
    });
  }
  return readings.length > 0 ? readings : undefined;
}

/** Draft-07 §3.1: `reset` required, `remaining` optional, `limit` unused; parameters ignored. */
function draft07Dictionary(dictionary: ReadonlyMap<string, Member>): RateLimitReading | undefined {
  const reset = integerMember(dictionary.get('reset'));
  const remaining = integerMember(dictionary.get('remaining'));
  const limit = integerMember(dictionary.get('limit'));
  if (typeof reset !== 'number' || remaining === null || limit === null) return undefined;
  return { form: DRAFT_07, remaining, resetMs: secondsToMs(reset) };
}

/** An absent member is `undefined`; one that is not a non-negative Integer Item is `null`. */
function integerMember(member: Member | undefined): number | undefined | null {
  if (member === undefined) return undefined;
  if (member.kind !== 'item') return null;
  return nonNegativeInteger(member.value) ?? null;
}

/** `RateLimit-Remaining` and `RateLimit-Reset`, Integer Items in drafts 03 to 06. */
function separateHeaders(headers: unknown): RateLimitReading | undefined {
  const reset = integerItem(headerValue(headers, 'ratelimit-reset'));
  if (reset === undefined) return undefined;
  const remaining = integerItem(headerValue(headers, 'ratelimit-remaining'));
  return { form: SEPARATE, remaining, resetMs: secondsToMs(reset) };
}

function integerItem(value: string | undefined): number | undefined {
  return value === undefined ? undefined : nonNegativeInteger(parseItem(value)?.value);
}

/** `X-RateLimit-Remaining` and `X-RateLimit-Reset`: delta seconds, or epoch seconds past 10^9. */
function legacyHeaders(headers: unknown, nowEpochMs: number): RateLimitReading | undefined {
  const resetValue = headerValue(headers, 'x-ratelimit-reset');
  const reset = resetValue === undefined ? undefined : DECIMAL.exec(resetValue);
  if (!reset) return undefined;
  const seconds = Number(reset[1]);
  const epoch = seconds > EPOCH_THRESHOLD_SECONDS;
  if (epoch && !Number.isFinite(nowEpochMs)) return undefined;
  const resetMs = epoch ? clampMs(seconds * 1000 - nowEpochMs) : secondsToMs(seconds);
  const remainingValue = headerValue(headers, 'x-ratelimit-remaining');
  const remaining = remainingValue === undefined ? undefined : DIGITS.exec(remainingValue);
  return { form: LEGACY_X, remaining: remaining ? Number(remaining[1]) : undefined, resetMs };
}

function nonNegativeInteger(item: BareItem | undefined): number | undefined {
  return item?.type === 'integer' && item.value >= 0 ? item.value : undefined;
}

function secondsToMs(seconds: number): number {
  return clampMs(seconds * 1000);
}

/** A whole, finite number of milliseconds in [0, MAX_WAIT_MS]; rounded up, never early. */
function clampMs(ms: number): number {
  if (!(ms > 0)) return 0;
  return Math.min(MAX_WAIT_MS, Math.ceil(ms));
}

/** A wait read elsewhere (`Retry-After`) made a whole number of ms in [0, MAX_WAIT_MS]; NaN: none. */
export function asWaitMs(ms: number | undefined): number | undefined {
  return ms === undefined || Number.isNaN(ms) ? undefined : clampMs(ms);
}
