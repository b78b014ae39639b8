import fc from 'fast-check';
import { parseRateLimitReset, parseRetryAfter, serverRequestedDelay } from '../../src/policy/retry-after.js';

/** 1994-11-06T08:49:37Z, the example date of RFC 9110 §5.6.7. */
const RFC_EXAMPLE_MS = Date.UTC(1994, 10, 6, 8, 49, 37);
const tenSecondsBefore = RFC_EXAMPLE_MS - 10_000;

describe('parseRetryAfter', () => {
  it('never returns NaN or a negative number, whatever the header says', () => {
    fc.assert(
      fc.property(fc.oneof(fc.string(), fc.string({ unit: 'binary' })), fc.integer(), (value, now) => {
        const ms = parseRetryAfter(value, now);
        if (ms !== undefined) {
          expect(Number.isNaN(ms)).toBe(false);
          expect(ms).toBeGreaterThanOrEqual(0);
        }
      }),
    );
  });

  it('never returns NaN or a negative number for date-like headers at any time', () => {
    const dates = fc
      .date({ min: new Date(-1e13), max: new Date(1e13), noInvalidDate: true })
      .map((d) => d.toUTCString());
    fc.assert(
      fc.property(dates, fc.integer({ min: -1e13, max: 1e13 }), (value, now) => {
        const ms = parseRetryAfter(value, now);
        expect(ms === undefined || ms >= 0).toBe(true);
      }),
    );
  });

  it('reads delay-seconds as milliseconds', () => {
    expect(parseRetryAfter('120', 0)).toBe(120_000);
    expect(parseRetryAfter('0', 0)).toBe(0);
  });

  it('reads any non-negative integer delay-seconds as that many seconds', () => {
    fc.assert(
      fc.property(fc.integer({ min: 0, max: 1e9 }), (seconds) => {
        expect(parseRetryAfter(String(seconds), 12345)).toBe(seconds * 1000);
      }),
    );
  });

  it('reads an IMF-fixdate relative to the injected clock', () => {
    expect(parseRetryAfter('Sun, 06 Nov 1994 08:49:37 GMT', tenSecondsBefore)).toBe(10_000);
  });

  it('reads the obsolete RFC 850 date form', () => {
    expect(parseRetryAfter('Sunday, 06-Nov-94 08:49:37 GMT', tenSecondsBefore)).toBe(10_000);
  });

  it('reads the obsolete asctime date form', () => {
    expect(parseRetryAfter('Sun Nov  6 08:49:37 1994', tenSecondsBefore)).toBe(10_000);
  });

  it('reads a date in the past as "retry now" (0), not a negative wait', () => {
    expect(parseRetryAfter('Sun, 06 Nov 1994 08:49:37 GMT', RFC_EXAMPLE_MS + 60_000)).toBe(0);
  });

  it.each([
    'soon',
    '-1',
    '1e3',
    '',
    ' ',
    '0x10',
    'Infinity',
    'NaN',
    '12 seconds',
    'Sun, 99 Nov 1994 08:49:37 GMT',
  ])('ignores the garbage value %p', (value) => {
    expect(parseRetryAfter(value, tenSecondsBefore)).toBeUndefined();
  });

  it('ignores a header that is not a string (absent, or repeated into an array)', () => {
    expect(parseRetryAfter(undefined, 0)).toBeUndefined();
    expect(parseRetryAfter(['1', '2'], 0)).toBeUndefined();
  });
});

describe('parseRateLimitReset', () => {
  it('reads `t=` from the RateLimit header', () => {
    expect(parseRateLimitReset('"default";r=0;t=7', undefined)).toBe(7000);
  });

  it('reads `reset=` from the RateLimit header of earlier drafts', () => {
    expect(parseRateLimitReset('limit=100, remaining=0, reset=5', undefined)).toBe(5000);
  });

  it('reads the RateLimit-Reset header', () => {
    expect(parseRateLimitReset(undefined, '3')).toBe(3000);
  });

  it('does not mistake a parameter that merely ends in t for `t=`', () => {
    expect(parseRateLimitReset('"default";limit=100;remaining=0', undefined)).toBeUndefined();
  });

  it('never returns NaN or a negative number, whatever the headers say', () => {
    fc.assert(
      fc.property(fc.string(), fc.string(), (rateLimit, reset) => {
        const ms = parseRateLimitReset(rateLimit, reset);
        expect(ms === undefined || ms >= 0).toBe(true);
      }),
    );
  });
});

describe('serverRequestedDelay', () => {
  it('prefers Retry-After over the RateLimit headers', () => {
    expect(serverRequestedDelay({ 'retry-after': '2', ratelimit: 't=9' }, 0)).toBe(2000);
  });

  it('falls back to RateLimit when Retry-After is garbage', () => {
    expect(serverRequestedDelay({ 'retry-after': 'soon', ratelimit: '"default";r=0;t=9' }, 0)).toBe(9000);
  });

  it('reads headers from an AxiosHeaders-like bag case-insensitively', () => {
    const bag = { get: (name: string) => (name.toLowerCase() === 'retry-after' ? '4' : undefined) };
    expect(serverRequestedDelay(bag, 0)).toBe(4000);
  });

  it('finds no wait in a response without those headers', () => {
    expect(serverRequestedDelay({}, 0)).toBeUndefined();
    expect(serverRequestedDelay(undefined, 0)).toBeUndefined();
  });
});
