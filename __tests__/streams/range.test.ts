import fc from 'fast-check';
import { checkResumeReply, parseContentRange, planResume, type ResumePlan } from '../../src/streams/range.js';

const first = {
  method: 'GET',
  status: 200,
  requestedRange: false,
  decoded: false,
  headers: { 'accept-ranges': 'bytes', etag: '"v1"', 'content-length': '100' },
};
const plan: ResumePlan = { ifRange: '"v1"', etag: '"v1"', lastModified: undefined };
const reply = (headers: Record<string, string>, status = 206): ReturnType<typeof checkResumeReply> =>
  checkResumeReply(status, { etag: '"v1"', ...headers }, plan, 40, 100);

describe('parseContentRange', () => {
  it('reads first byte, last byte and complete length', () => {
    expect(parseContentRange('bytes 40-99/100')).toEqual({ start: 40, end: 99, total: 100 });
    expect(parseContentRange('bytes 0-9/*')).toEqual({ start: 0, end: 9, total: undefined });
  });

  it.each(['bytes 50-40/100', 'bytes 0-100/100', 'items 0-9/10', 'bytes */100', 'bytes 0-9', ''])(
    'rejects %j',
    (value) => {
      expect(parseContentRange(value)).toBeUndefined();
    },
  );

  it('returns only ranges inside the representation, for any input', () => {
    fc.assert(
      fc.property(fc.nat(), fc.nat(), fc.option(fc.nat()), (a, b, c) => {
        const range = parseContentRange(`bytes ${a}-${b}/${c ?? '*'}`);
        if (range === undefined) return true;
        return range.start <= range.end && (range.total === undefined || range.end < range.total);
      }),
    );
  });
});

describe('planResume', () => {
  it('resumes with a strong ETag', () => {
    expect(planResume(first)).toEqual(plan);
  });

  it('falls back to Last-Modified only when it is a second older than Date', () => {
    const lastModified = 'Wed, 01 Jan 2020 00:00:00 GMT';
    const headers = { 'accept-ranges': 'bytes', 'last-modified': lastModified };
    expect(planResume({ ...first, headers: { ...headers, date: 'Wed, 01 Jan 2020 00:00:05 GMT' } })).toEqual({
      ifRange: lastModified,
      etag: undefined,
      lastModified,
    });
    expect(typeof planResume({ ...first, headers: { ...headers, date: lastModified } })).toBe('string');
  });

  it.each([
    ['a weak ETag', { ...first, headers: { 'accept-ranges': 'bytes', etag: 'W/"v1"' } }],
    ['Accept-Ranges: none', { ...first, headers: { 'accept-ranges': 'none', etag: '"v1"' } }],
    ['a POST', { ...first, method: 'post' }],
    ['a decoded body', { ...first, decoded: true }],
    ['a caller-chosen Range', { ...first, requestedRange: true }],
  ])('refuses %s', (_, facts) => {
    expect(typeof planResume(facts)).toBe('string');
  });
});

describe('checkResumeReply', () => {
  it('accepts a 206 that starts at the byte received, for the same representation', () => {
    expect(reply({ 'content-range': 'bytes 40-99/100', 'content-length': '60' })).toEqual({
      start: 40,
      end: 99,
      total: 100,
    });
  });

  it.each([
    ['a 200', {}, 200],
    ['a range starting elsewhere', { 'content-range': 'bytes 0-99/100' }, 206],
    ['a different total', { 'content-range': 'bytes 40-119/120' }, 206],
    [
      'a Content-Length at odds with the range',
      { 'content-range': 'bytes 40-99/100', 'content-length': '10' },
      206,
    ],
    ['a changed ETag', { 'content-range': 'bytes 40-99/100', etag: '"v2"' }, 206],
    ['no Content-Range', {}, 206],
  ])('refuses %s', (_, headers, status) => {
    expect(typeof reply(headers, status)).toBe('string');
  });
});
