import { AxiosHeaders } from 'axios';
import fc from 'fast-check';
import { quota, serverWaitMs } from '../../src/policy/rate-limit.js';
import { serverRequestedDelay } from '../../src/policy/retry-after.js';

const MAX_WAIT_MS = 2 ** 31 - 1;
/** 2024-01-01T00:00:00Z, as GitHub's clock would say it. */
const NOW = Date.UTC(2024, 0, 1);
const NOW_SECONDS = NOW / 1000;

describe('serverWaitMs', () => {
  it('reads Retry-After in delay-seconds', () => {
    expect(serverWaitMs({ 'Retry-After': '12' }, NOW)).toBe(12_000);
  });

  it('reads Retry-After as an HTTP-date against the injected clock', () => {
    expect(serverWaitMs({ 'retry-after': new Date(NOW + 5_000).toUTCString() }, NOW)).toBe(5_000);
  });

  it('lets Retry-After take precedence over every rate-limit header', () => {
    const headers = {
      'retry-after': '2',
      ratelimit: '"default";r=0;t=30',
      'ratelimit-remaining': '0',
      'ratelimit-reset': '40',
      'x-ratelimit-remaining': '0',
      'x-ratelimit-reset': '50',
    };
    expect(serverWaitMs(headers, NOW)).toBe(2_000);
  });

  it('falls back to the rate-limit headers when Retry-After is garbage', () => {
    expect(serverWaitMs({ 'retry-after': 'soon', ratelimit: '"default";r=0;t=30' }, NOW)).toBe(30_000);
  });

  it('reads the draft-10 RateLimit field when a policy has nothing left', () => {
    expect(serverWaitMs({ RateLimit: '"default";r=0;t=30' }, NOW)).toBe(30_000);
  });

  it('waits for the largest t among the policies with nothing left', () => {
    const ratelimit = '"burst";r=0;t=10, "daily";r=0;t=3600, "minute";r=5;t=7200';
    expect(serverWaitMs({ ratelimit }, NOW)).toBe(3_600_000);
  });

  it('reads RateLimit split over several field lines', () => {
    expect(serverWaitMs({ ratelimit: ['"burst";r=3;t=10', '"daily";r=0;t=60'] }, NOW)).toBe(60_000);
  });

  it('names no wait while every policy has something left', () => {
    expect(serverWaitMs({ ratelimit: '"default";r=1;t=30' }, NOW)).toBeUndefined();
  });

  it('names no wait for a spent policy without t', () => {
    expect(serverWaitMs({ ratelimit: '"default";r=0;pk=:dHJpYWw=:' }, NOW)).toBeUndefined();
  });

  it('reads the draft-07 RateLimit field', () => {
    expect(serverWaitMs({ ratelimit: 'limit=100, remaining=0, reset=30' }, NOW)).toBe(30_000);
    expect(serverWaitMs({ ratelimit: 'limit=100, remaining=4, reset=30' }, NOW)).toBeUndefined();
  });

  it('reads RateLimit-Remaining with RateLimit-Reset in delta seconds', () => {
    expect(serverWaitMs({ 'RateLimit-Remaining': '0', 'RateLimit-Reset': '30' }, NOW)).toBe(30_000);
    expect(serverWaitMs({ 'RateLimit-Remaining': '3', 'RateLimit-Reset': '30' }, NOW)).toBeUndefined();
  });

  it("reads GitHub's X-RateLimit-Reset in epoch seconds against the injected clock", () => {
    const headers = { 'x-ratelimit-remaining': '0', 'x-ratelimit-reset': String(NOW_SECONDS + 90) };
    expect(serverWaitMs(headers, NOW)).toBe(90_000);
  });

  it('reads an X-RateLimit-Reset epoch already past as no wait left (0)', () => {
    const headers = { 'x-ratelimit-remaining': '0', 'x-ratelimit-reset': String(NOW_SECONDS - 90) };
    expect(serverWaitMs(headers, NOW)).toBe(0);
  });

  it('reads a small X-RateLimit-Reset as delta seconds', () => {
    expect(serverWaitMs({ 'x-ratelimit-remaining': '0', 'x-ratelimit-reset': '45' }, NOW)).toBe(45_000);
  });

  it('reads the forms in their order: draft-10 before the separate and X- headers', () => {
    const headers = {
      ratelimit: '"default";r=0;t=5',
      'ratelimit-remaining': '0',
      'ratelimit-reset': '40',
      'x-ratelimit-remaining': '0',
      'x-ratelimit-reset': '50',
    };
    expect(serverWaitMs(headers, NOW)).toBe(5_000);
    expect(serverWaitMs({ ...headers, ratelimit: '"default";r=2;t=5' }, NOW)).toBe(40_000);
  });

  it.each([
    ['a negative t', '"default";r=0;t=-5'],
    ['a t that is a Decimal', '"default";r=0;t=2.5'],
    ['an r that is a token', '"default";r=zero;t=30'],
    ['an item without r', '"default";t=30'],
    ['a trailing comma', '"default";r=0;t=30,'],
    ['an inner list', '("default");r=0;t=30'],
    ['one malformed policy among good ones', '"a";r=0;t=30, "b";r=0;t=oops'],
  ])('ignores a RateLimit field with %s and reads the next form', (_what, ratelimit) => {
    expect(serverWaitMs({ ratelimit }, NOW)).toBeUndefined();
    expect(serverWaitMs({ ratelimit, 'ratelimit-remaining': '0', 'ratelimit-reset': '7' }, NOW)).toBe(7_000);
  });

  it('ignores malformed separate and X- headers', () => {
    expect(serverWaitMs({ 'ratelimit-remaining': '0', 'ratelimit-reset': '-3' }, NOW)).toBeUndefined();
    expect(serverWaitMs({ 'ratelimit-remaining': '0', 'ratelimit-reset': 'soon' }, NOW)).toBeUndefined();
    expect(serverWaitMs({ 'x-ratelimit-remaining': '0', 'x-ratelimit-reset': '1e3' }, NOW)).toBeUndefined();
    expect(serverWaitMs({ 'x-ratelimit-remaining': 'none', 'x-ratelimit-reset': '30' }, NOW)).toBeUndefined();
  });

  it('caps a huge reset at the longest timer, 2**31 - 1 ms', () => {
    expect(serverWaitMs({ ratelimit: '"default";r=0;t=999999999999999' }, NOW)).toBe(MAX_WAIT_MS);
    expect(serverWaitMs({ 'retry-after': '99999999999' }, NOW)).toBe(MAX_WAIT_MS);
  });

  it('reads AxiosHeaders case-insensitively', () => {
    const headers = new AxiosHeaders({ 'X-RateLimit-Remaining': '0', 'X-RateLimit-Reset': '20' });
    expect(serverWaitMs(headers, NOW)).toBe(20_000);
  });

  it('names no wait for a response without those headers', () => {
    expect(serverWaitMs({}, NOW)).toBeUndefined();
    expect(serverWaitMs(undefined, NOW)).toBeUndefined();
    expect(serverWaitMs({ 'content-type': 'text/plain' }, NOW)).toBeUndefined();
  });
});

describe('serverRequestedDelay on a refused response', () => {
  it('reads a reset named without a remaining count as the wait, since the status says none is left', () => {
    expect(serverRequestedDelay({ 'ratelimit-reset': '4' }, NOW)).toBe(4_000);
    expect(serverRequestedDelay({ ratelimit: 'limit=10, reset=6' }, NOW)).toBe(6_000);
    expect(serverRequestedDelay({ 'x-ratelimit-reset': '8' }, NOW)).toBe(8_000);
  });

  it('does not read a reset as the wait when the server says units are left', () => {
    expect(serverRequestedDelay({ ratelimit: '"default";r=3;t=30' }, NOW)).toBeUndefined();
  });

  it('names the same wait as serverWaitMs when a limit is spent', () => {
    const headers = { ratelimit: '"a";r=0;t=12, "b";r=0;t=20' };
    expect(serverRequestedDelay(headers, NOW)).toBe(serverWaitMs(headers, NOW));
  });
});

describe('quota', () => {
  it('reads what a draft-10 policy has left and for how long', () => {
    expect(quota({ ratelimit: '"default";r=50;t=30' }, NOW)).toEqual({ remaining: 50, resetMs: 30_000 });
  });

  it('keeps the most restrictive policy: the fewest units left', () => {
    const ratelimit = '"burst";r=5;t=10, "daily";r=2;t=3600, "minute";r=40;t=60';
    expect(quota({ ratelimit }, NOW)).toEqual({ remaining: 2, resetMs: 3_600_000 });
  });

  it('breaks a tie in units left with the later reset', () => {
    expect(quota({ ratelimit: '"a";r=3;t=10, "b";r=3;t=90, "c";r=3;t=20' }, NOW)).toEqual({
      remaining: 3,
      resetMs: 90_000,
    });
  });

  it('leaves out a draft-10 policy without t', () => {
    expect(quota({ ratelimit: '"a";r=0, "b";r=7;t=10' }, NOW)).toEqual({ remaining: 7, resetMs: 10_000 });
    expect(quota({ ratelimit: '"a";r=0' }, NOW)).toBeUndefined();
  });

  it('reads the draft-07 field, the separate headers and the X- headers', () => {
    expect(quota({ ratelimit: 'limit=100, remaining=9, reset=30' }, NOW)).toEqual({
      remaining: 9,
      resetMs: 30_000,
    });
    expect(quota({ 'ratelimit-remaining': '8', 'ratelimit-reset': '20' }, NOW)).toEqual({
      remaining: 8,
      resetMs: 20_000,
    });
    expect(
      quota({ 'x-ratelimit-remaining': '4999', 'x-ratelimit-reset': String(NOW_SECONDS + 3000) }, NOW),
    ).toEqual({ remaining: 4999, resetMs: 3_000_000 });
  });

  it('keeps the most restrictive of all the forms a response carries', () => {
    const headers = {
      ratelimit: '"default";r=50;t=30',
      'ratelimit-remaining': '10',
      'ratelimit-reset': '30',
      'x-ratelimit-remaining': '4',
      'x-ratelimit-reset': '60',
    };
    expect(quota(headers, NOW)).toEqual({ remaining: 4, resetMs: 60_000 });
  });

  it('needs both a remaining count and a reset', () => {
    expect(quota({ 'ratelimit-reset': '20' }, NOW)).toBeUndefined();
    expect(quota({ 'x-ratelimit-remaining': '3' }, NOW)).toBeUndefined();
    expect(quota({ ratelimit: 'limit=10, reset=6' }, NOW)).toBeUndefined();
  });

  it('ignores Retry-After and a malformed field', () => {
    expect(quota({ 'retry-after': '30' }, NOW)).toBeUndefined();
    expect(quota({ ratelimit: '"default";r=-1;t=30' }, NOW)).toBeUndefined();
  });
});

describe('rate-limit headers: properties', () => {
  const values = fc.oneof(
    fc.string(),
    fc.string({ unit: 'binary' }),
    fc.integer({ min: 0, max: 4e9 }).map(String),
    fc
      .array(
        fc.constantFrom(
          '"default"',
          '"a"',
          ';r=',
          ';t=',
          'r=',
          'reset=',
          'remaining=',
          '0',
          '30',
          '-1',
          '1.5',
          ',',
          ' ',
        ),
        { maxLength: 12 },
      )
      .map((parts) => parts.join('')),
  );
  const names = [
    'retry-after',
    'ratelimit',
    'ratelimit-remaining',
    'ratelimit-reset',
    'x-ratelimit-remaining',
    'x-ratelimit-reset',
  ] as const;
  const headers = fc.record(Object.fromEntries(names.map((name) => [name, values])), { requiredKeys: [] });
  const now = fc.oneof(fc.integer({ min: -1e13, max: 1e13 }), fc.double());
  const isWait = (ms: number): boolean => Number.isInteger(ms) && ms >= 0 && ms <= MAX_WAIT_MS;

  it('names either no wait or a whole number of ms in [0, 2**31 - 1], whatever the headers say', () => {
    fc.assert(
      fc.property(headers, now, (bag, at) => {
        for (const wait of [serverWaitMs(bag, at), serverRequestedDelay(bag, at)]) {
          expect(wait === undefined || isWait(wait)).toBe(true);
        }
      }),
      { numRuns: 500 },
    );
  });

  it('states either no quota or whole, finite, non-negative numbers, whatever the headers say', () => {
    fc.assert(
      fc.property(headers, now, (bag, at) => {
        const limit = quota(bag, at);
        if (limit === undefined) return;
        expect(Number.isInteger(limit.remaining) && limit.remaining >= 0).toBe(true);
        expect(isWait(limit.resetMs)).toBe(true);
      }),
      { numRuns: 500 },
    );
  });
});
